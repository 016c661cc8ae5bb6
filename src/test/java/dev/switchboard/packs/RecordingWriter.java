package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.RowValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * An in-memory store for simulator tests: validates every row as ingest would, merges upserts
 * like the store does (a partial row updates only its columns), and fails the test on a row that
 * is invalid, a new row missing a required column, or a delete of a row that does not exist.
 * Keys are private to a tenant, as in the stores: the model holds a row per (tenant, key).
 */
final class RecordingWriter implements Simulator.Writer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, Dataset> datasets = new LinkedHashMap<>();
    private final Map<String, Map<String, Map<String, Object>>> tables = new HashMap<>();
    final List<String> log = new ArrayList<>();
    final Set<String> tenants = new LinkedHashSet<>();
    final Set<String> written = new LinkedHashSet<>();
    int creates;
    int updates;
    int deletes;
    /** Rows created with a time more than a minute before the step's now. */
    int late;
    Instant now = Instant.EPOCH;

    RecordingWriter(List<Dataset> datasets) {
        datasets.forEach(d -> this.datasets.put(d.name(), d));
    }

    @Override
    public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
        Dataset d = datasets.get(dataset);
        assertThat(d).as("dataset " + dataset + " is one of the pack's").isNotNull();
        assertThat(rows).as("upsert to " + dataset).isNotEmpty();
        for (Map<String, Object> row : rows) {
            row.forEach((column, value) -> assertJsonShaped(d, column, value));
            var result = RowValidator.validate(d, tenant, List.of(JSON.valueToTree(row)));
            assertThat(result.problems()).as(dataset + " row " + row).isEmpty();
            merge(d, tenant, result.rows().getFirst());
            log.add(tenant + " " + dataset + " upsert " + JSON.writeValueAsString(row));
        }
        tenants.add(tenant);
        written.add(dataset);
    }

    private void merge(Dataset d, String tenant, Map<String, Object> row) {
        String key = (String) row.get(d.key());
        Map<String, Map<String, Object>> table = tables.computeIfAbsent(d.name(), n -> new HashMap<>());
        Map<String, Object> stored = table.get(tenant + "/" + key);
        if (stored == null) {
            creates++;
            stored = new LinkedHashMap<>();
            table.put(tenant + "/" + key, stored);
            Object time = row.get(d.time());
            if (time != null && Instant.parse((String) time).isBefore(now.minus(Duration.ofMinutes(1)))) {
                late++;
            }
        } else {
            updates++;
        }
        stored.putAll(row);
        for (Column c : d.columns().values()) {
            if (c.required()) {
                assertThat(stored.get(c.name())).as(d.name() + " " + key + " keeps required " + c.name()).isNotNull();
            }
        }
    }

    private static void assertJsonShaped(Dataset d, String column, Object value) {
        boolean scalar = value == null || value instanceof String || value instanceof Long || value instanceof Double
                || value instanceof Boolean;
        boolean json = value instanceof Map && d.column(column).map(c -> c.type() == ColumnType.JSON).orElse(false);
        if (!scalar && !json) {
            throw new AssertionError(d.name() + "." + column + " = " + value + " is a " + value.getClass().getSimpleName()
                    + "; rows hold String, Long, Double, Boolean, null (and maps in json columns)");
        }
    }

    @Override
    public void delete(String tenant, String dataset, List<String> keys) {
        Dataset d = datasets.get(dataset);
        assertThat(d).as("dataset " + dataset + " is one of the pack's").isNotNull();
        assertThat(keys).as("delete from " + dataset).isNotEmpty();
        for (String key : keys) {
            assertThat(tables.getOrDefault(dataset, Map.of()).remove(tenant + "/" + key))
                    .as("deleted " + dataset + " " + key + " exists for " + tenant).isNotNull();
            deletes++;
        }
        log.add(tenant + " " + dataset + " delete " + keys);
    }

    /** The current rows of a dataset, as the store would hold them. */
    List<Map<String, Object>> rows(String dataset) {
        return List.copyOf(tables.getOrDefault(dataset, Map.of()).values());
    }
}
