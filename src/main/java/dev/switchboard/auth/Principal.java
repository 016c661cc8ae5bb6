package dev.switchboard.auth;

import java.util.Set;

/**
 * The caller of a request.
 *
 * @param tenants the tenants it may touch; {@link #ALL_TENANTS} means all (demo mode, and tokens
 *     with {@code role: admin}, the only tokens that may carry it)
 * @param subject who it is, e.g. an agent id; fills {@code ${sub}} in a scope
 * @param scope the dashboard scope it is confined to (e.g. {@code agent}); empty for the whole tenant
 * @param write whether it may ingest and delete
 * @param expiresAt when its credential expires, in epoch milliseconds ({@link Long#MAX_VALUE}: never);
 *     a live stream ends then
 * @param role {@code viewer}, {@code writer} or {@code admin}: an admin of its tenants (their
 *     administrative routes, such as a seed's statistics), or with {@link #ALL_TENANTS} the
 *     operator grant
 */
public record Principal(Set<String> tenants, String subject, String scope, boolean write, long expiresAt, String role) {
    /** The tenant that stands for every tenant: the admin grant. */
    public static final String ALL_TENANTS = "*";
    public static final String ADMIN = "admin";
    public static final Principal OPEN = new Principal(Set.of(ALL_TENANTS), "", "", true, Long.MAX_VALUE, ADMIN);

    public Principal {
        tenants = Set.copyOf(tenants);
    }

    /** A viewer or writer whose credential expires at {@code expiresAt}. */
    public Principal(Set<String> tenants, String subject, String scope, boolean write, long expiresAt) {
        this(tenants, subject, scope, write, expiresAt, write ? "writer" : "viewer");
    }

    /** A viewer or writer whose credential does not expire. */
    public Principal(Set<String> tenants, String subject, String scope, boolean write) {
        this(tenants, subject, scope, write, Long.MAX_VALUE);
    }

    public boolean allows(String tenant) {
        return admin() || tenants.contains(tenant);
    }

    /** True for the admin grant: every tenant, writes, and operator routes such as {@code /metrics}. */
    public boolean admin() {
        return tenants.contains(ALL_TENANTS);
    }

    /**
     * True for an admin of {@code tenant}: a token with {@code role: admin} naming it (or the
     * operator grant). An admin sees its whole tenant (it carries no scope) and may write.
     */
    public boolean administers(String tenant) {
        return ADMIN.equals(role) && allows(tenant);
    }

    /** True when the caller sees only a slice of its tenant and so must not read raw changes. */
    public boolean scoped() {
        return !scope.isEmpty();
    }
}
