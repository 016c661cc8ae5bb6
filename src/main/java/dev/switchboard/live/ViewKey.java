package dev.switchboard.live;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Identifies one live view: a dashboard for a tenant, narrowed by a scope (empty for the whole
 * tenant) for a subject, with its parameter values. Viewers with equal keys share one view.
 *
 * @param params the dashboard's whole-number params ({@link Long}) and its range ({@code range}, a
 *               {@link String} in canonical form: a preset or {@code from..to})
 */
public record ViewKey(String dashboard, String tenant, String scope, String subject, SortedMap<String, Object> params) {

    public ViewKey {
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    public static ViewKey of(String dashboard, String tenant) {
        return new ViewKey(dashboard, tenant, "", "", new TreeMap<>());
    }

    /** This key with one whole-number parameter set. */
    public ViewKey withParam(String name, long value) {
        return with(name, value);
    }

    /** This key with its range set (canonical form, as {@link Definitions#key} writes it). */
    public ViewKey withRange(String range) {
        return with(Definitions.RANGE, range);
    }

    private ViewKey with(String name, Object value) {
        TreeMap<String, Object> p = new TreeMap<>(params);
        p.put(name, value);
        return new ViewKey(dashboard, tenant, scope, subject, p);
    }

    /** A topic name that can never collide across tenants, scopes or parameters. */
    public String topic() {
        StringBuilder b = new StringBuilder("dashboard/").append(tenant).append('/').append(dashboard);
        if (!scope.isEmpty()) {
            b.append('/').append(scope).append('=').append(subject);
        }
        for (Map.Entry<String, Object> e : params.entrySet()) {
            b.append('/').append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }
}
