package dev.switchboard.dataset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table the dashboards read: its key column, tenant column, time column and typed columns.
 * The table name is the dataset name.
 */
public record Dataset(String name, String key, String tenant, String time, Map<String, Column> columns) {

    public Dataset {
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
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
