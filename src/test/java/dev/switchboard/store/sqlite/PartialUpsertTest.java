package dev.switchboard.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: ingesting a partial row for an existing key ("update the columns it carries")
 * failed with "NOT NULL constraint failed: call_logs.started_at", because SQLite checks NOT NULL
 * on the proposed insert of an upsert before it resolves the key conflict.
 */
class PartialUpsertTest {
    @TempDir
    Path dir;

    @Test
    void partialRowOfAnExistingKeyUpdatesOnlyItsColumns() throws Exception {
        String yaml = Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml"));
        Dataset calls = DatasetCatalog.parse(yaml, "calls").get(0);
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db"))) {
            store.migrate(List.of(calls));
            Map<String, Object> full = new LinkedHashMap<>();
            full.put("id", "c1");
            full.put("user_id", "u1");
            full.put("status", "active");
            full.put("started_at", "2026-11-23T10:00:00.000Z");
            full.put("duration", 5L);
            store.ingest(calls, "u1", List.of(full));

            store.ingest(calls, "u1", List.of(Map.of("id", "c1", "status", "ended", "duration", 42L)));

            List<Row> rows = store.read(s -> {
                List<Row> out = new ArrayList<>();
                s.query("SELECT id, status, duration, started_at FROM call_logs", List.of(), out::add);
                return out;
            });
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).values()).containsEntry("status", "ended").containsEntry("duration", 42L)
                    .containsEntry("started_at", "2026-11-23T10:00:00.000Z");
        }
    }
}
