package dev.switchboard.http;

import dev.switchboard.auth.Principal;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.live.DashboardDef;
import dev.switchboard.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Confines a scoped writer (e.g. {@code scope: agent, sub: agent-1, role: writer}) to the rows its
 * scope lets it see: the scope's column equalities for the dataset (from every dashboard that
 * defines the scope, with {@code ${sub}} filled in) must hold for every row it sends and for every
 * row it would change or delete. Only dashboards that read the dataset count. A dataset the scope
 * does not tie to the subject (an equality with {@code ${sub}}) cannot be written with a scoped
 * token at all.
 *
 * <p>Existing rows are checked in a snapshot just before the write; a row reassigned to another
 * subject in between by another writer could still be updated once.
 */
final class ScopedWrites {
    private final List<DashboardDef> dashboards;
    private final Store store;

    ScopedWrites(List<DashboardDef> dashboards, Store store) {
        this.dashboards = List.copyOf(dashboards);
        this.store = store;
    }

    /** The column values a scoped writer's rows of {@code dataset} must hold; empty for an unscoped writer. */
    Map<String, String> guard(Principal who, Dataset dataset) {
        if (!who.scoped()) {
            return Map.of();
        }
        Map<String, String> guard = new LinkedHashMap<>();
        boolean bound = false;
        for (DashboardDef d : dashboards) {
            JsonNode scope = d.scopes().get(who.scope());
            if (scope == null || !d.datasets().contains(dataset.name())) {
                continue; // a dashboard that does not read the dataset says nothing about its rows
            }
            JsonNode filter = scope.has(dataset.name()) ? scope.path(dataset.name()) : scope;
            for (var p : filter.properties()) {
                if (dataset.column(p.getKey()).isEmpty()) {
                    continue;
                }
                if (!p.getValue().isString()) {
                    throw new ApiException(403, "scope '" + who.scope() + "' filters " + dataset.name() + "." + p.getKey()
                            + " by more than one value, so a token confined to it may not write " + dataset.name());
                }
                bound |= p.getValue().asString().contains("${sub}");
                guard.put(p.getKey(), p.getValue().asString().replace("${sub}", who.subject()));
            }
        }
        if (!bound) {
            // e.g. a patient's view of open slots (status: available) lets it see them, not make them
            throw new ApiException(403, "a token confined to scope '" + who.scope() + "' may not write " + dataset.name()
                    + ", which that scope does not tie to its subject");
        }
        return guard;
    }

    /** Refuses rows that do not carry the guard's values, or that would change another subject's rows. */
    void checkRows(Principal who, Dataset dataset, String tenant, List<Map<String, Object>> rows) {
        Map<String, String> guard = guard(who, dataset);
        if (guard.isEmpty()) {
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            for (var g : guard.entrySet()) {
                Object v = rows.get(i).get(g.getKey());
                if (!g.getValue().equals(v)) {
                    throw refused(i, g.getKey(), "must be '" + g.getValue() + "' (your token is confined to scope '" + who.scope()
                            + "' of " + who.subject() + "), was " + (v == null ? "missing" : "'" + v + "'"));
                }
            }
        }
        checkExisting(who, dataset, tenant, rows.stream().map(r -> String.valueOf(r.get(dataset.key()))).toList(), guard);
    }

    /** Refuses to delete keys whose rows belong to another subject. */
    void checkDelete(Principal who, Dataset dataset, String tenant, String key) {
        Map<String, String> guard = guard(who, dataset);
        if (!guard.isEmpty()) {
            checkExisting(who, dataset, tenant, List.of(key), guard);
        }
    }

    private void checkExisting(Principal who, Dataset dataset, String tenant, List<String> keys, Map<String, String> guard) {
        Map<String, Map<String, Object>> existing = new HashMap<>();
        List<String> cols = new ArrayList<>(guard.keySet());
        String sql = "SELECT " + dataset.key() + ", " + String.join(", ", cols) + " FROM " + dataset.name() + " WHERE "
                + dataset.tenant() + " = ? AND " + dataset.key() + " IN (" + keys.stream().map(k -> "?").collect(Collectors.joining(", ")) + ")";
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        params.addAll(keys);
        store.read(s -> {
            s.query(sql, params, row -> existing.put(String.valueOf(row.raw(dataset.key())), row.values()));
            return null;
        });
        for (int i = 0; i < keys.size(); i++) {
            Map<String, Object> row = existing.get(keys.get(i));
            if (row == null) {
                continue;
            }
            for (var g : guard.entrySet()) {
                if (!g.getValue().equals(String.valueOf(row.get(g.getKey())))) {
                    throw refused(i, dataset.key(), "'" + keys.get(i) + "' is a row of another " + who.scope()
                            + "; a token confined to scope '" + who.scope() + "' of " + who.subject() + " may change only its own rows");
                }
            }
        }
    }

    private static ApiException refused(int row, String field, String message) {
        return new ApiException(403, "row " + row + ", field " + field + ": " + message + "; nothing was written",
                List.of(Map.of("row", row, "field", field, "message", message)));
    }
}
