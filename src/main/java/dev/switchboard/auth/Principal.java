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
 */
public record Principal(Set<String> tenants, String subject, String scope, boolean write, long expiresAt) {
    /** The tenant that stands for every tenant: the admin grant. */
    public static final String ALL_TENANTS = "*";
    public static final Principal OPEN = new Principal(Set.of(ALL_TENANTS), "", "", true);

    public Principal {
        tenants = Set.copyOf(tenants);
    }

    /** A caller whose credential does not expire. */
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

    /** True when the caller sees only a slice of its tenant and so must not read raw changes. */
    public boolean scoped() {
        return !scope.isEmpty();
    }
}
