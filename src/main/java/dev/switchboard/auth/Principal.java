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
 */
public record Principal(Set<String> tenants, String subject, String scope, boolean write) {
    /** The tenant that stands for every tenant: the admin grant. */
    public static final String ALL_TENANTS = "*";
    public static final Principal OPEN = new Principal(Set.of(ALL_TENANTS), "", "", true);

    public Principal {
        tenants = Set.copyOf(tenants);
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
