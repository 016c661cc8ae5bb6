package dev.switchboard.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.IngestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 8: a tenant's large or failing batches cannot hold up another tenant's write.
 * The order of turns at the writer is {@code TurnsTest}'s; here a failing batch is refused without
 * waiting for the writer at all.
 */
class FairWritesTest {
    @TempDir
    Path dir;

    static Map<String, Object> call(String tenant, String id, boolean complete) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("user_id", tenant);
        row.put("status", "active");
        if (complete) {
            row.put("started_at", "2026-11-23T10:00:00.000Z");
        }
        return row;
    }

    @Test
    void aBatchFailingAtItsLastRow_isRefusedWithoutWaitingForTheWriter() throws Exception {
        String yaml = Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml"));
        Dataset calls = DatasetCatalog.parse(yaml, "calls").get(0);
        try (SqliteStore store = SqliteStore.open(dir.resolve("t.db"))) {
            store.migrate(List.of(calls));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < 4999; i++) {
                rows.add(call("noisy", "n" + i, true));
            }
            rows.add(call("noisy", "last", false)); // a new row without its required started_at
            store.turns().acquire("someone-else"); // the writer is busy
            try {
                var failed = CompletableFuture.runAsync(() -> store.ingest(calls, "noisy", rows));
                assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IngestException.class)
                        .hasMessageContaining("row 4999").hasMessageContaining("started_at");
            } finally {
                store.turns().release("someone-else");
            }
            int count = store.read(s -> {
                int[] n = {0};
                s.query("SELECT count(*) AS n FROM call_logs", List.of(), r -> n[0] = ((Number) r.raw("n")).intValue());
                return n[0];
            });
            assertThat(count).isZero();
            assertThat(store.ingest(calls, "quiet", List.of(call("quiet", "q1", true))).count()).isEqualTo(1);
        }
    }
}
