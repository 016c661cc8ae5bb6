package dev.switchboard.dataset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table the dashboards read: its key column, tenant column, time column and typed columns.
 * The table name is the dataset name. {@code lookups} name the rows of other datasets (of the
 * same tenant) that a column refers to by key, so that widgets can show and group by their fields.
 */
public record Dataset(String name, String key, String tenant, String time, Map<String, Column> columns, Map<String, Lookup> lookups,
                      Optional<java.time.Duration> retention) {

    /**
     * A reference to another dataset's row: {@code campaign: { dataset: campaigns, on: campaign_id }}
     * makes {@code campaign.name} the name of the row of {@code campaigns} (same tenant) whose key is
     * this row's {@code campaign_id}; null when there is none.
     */
    public record Lookup(String name, String dataset, String on) {}

    public Dataset(String name, String key, String tenant, String time, Map<String, Column> columns) {
        this(name, key, tenant, time, columns, Map.of());
    }

    public Dataset(String name, String key, String tenant, String time, Map<String, Column> columns, Map<String, Lookup> lookups) {
        this(name, key, tenant, time, columns, lookups, Optional.empty());
    }

    /**
     * {@code retention}: rows whose time is older than this are deleted by the server (through the
     * same path as any delete, so views and subscribers see them go); empty keeps them forever.
     */
    public Dataset {
        if (retention.isPresent() && (retention.get().isNegative() || retention.get().isZero())) {
            throw new IllegalArgumentException("dataset " + name + ": retention must be positive");
        }
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        lookups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lookups));
        for (Lookup l : lookups.values()) {
            Column on = columns.get(l.on());
            if (on == null || on.type() != ColumnType.TEXT) {
                throw new IllegalArgumentException("dataset " + name + ": lookup '" + l.name() + "' needs a text column 'on', got '" + l.on() + "'");
            }
        }
        for (String c : List.of(key, tenant, time)) {
            if (!columns.containsKey(c)) {
                throw new IllegalArgumentException("dataset " + name + ": column '" + c + "' is named as key, tenant or time but not declared");
            }
        }
    }

    public Optional<Column> column(String name) {
        return Optional.ofNullable(columns.get(name));
    }

    public List<String> columnNames() {
        return List.copyOf(columns.keySet());
    }
}
