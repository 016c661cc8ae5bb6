package dev.switchboard.auth;

import java.util.Set;

/**
 * The caller of a request.
 *
 * @param tenants the tenants it may touch; {@code *} means all (demo mode, operators)
 * @param subject who it is, e.g. an agent id; fills {@code ${sub}} in a scope
 * @param scope the dashboard scope it is confined to (e.g. {@code agent}); empty for the whole tenant
 * @param write whether it may ingest and delete
 */
public record Principal(Set<String> tenants, String subject, String scope, boolean write) {
    public static final Principal OPEN = new Principal(Set.of("*"), "", "", true);

    public Principal {
        tenants = Set.copyOf(tenants);
    }

    public boolean allows(String tenant) {
        return tenants.contains("*") || tenants.contains(tenant);
    }

    /** True when the caller sees only a slice of its tenant and so must not read raw changes. */
    public boolean scoped() {
        return !scope.isEmpty();
    }
}
