package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.Store;
import dev.switchboard.store.postgres.PgTestDatabase;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rows older than their dataset's retention are deleted like any other row: captured, per tenant, oldest first, in bounded batches. */
class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    @TempDir
    Path dir;

    private static Dataset calls(Optional<Duration> retention) throws Exception {
        Dataset d = DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls").stream()
                .filter(x -> x.name().equals("call_logs")).findFirst().orElseThrow();
        return new Dataset(d.name(), d.key(), d.tenant(), d.time(), d.columns(), d.lookups(), retention);
    }

    private static String row(String id, Instant at) {
        return "{\"id\":\"" + id + "\",\"status\":\"ended\",\"started_at\":\"" + at + "\"}";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void expiredRows_areDeleted_andCaptured_perTenant(String kind) throws Exception {
        Dataset calls = calls(Optional.of(Duration.ofDays(7)));
        PgTestDatabase pg = kind.equals("postgresql") ? PgTestDatabase.create("retention") : null;
        try (pg; Store store = pg == null ? SqliteStore.open(dir.resolve("r.db")) : StoreFactory.postgres(pg.url, "retention")) {
            store.migrate(List.of(calls));
            Instant old = NOW.minus(Duration.ofDays(8));
            Instant recent = NOW.minus(Duration.ofDays(6));
            store.ingest(calls, "t1", StoreContractTest.rows(calls, "t1", "[" + row("a", old) + "," + row("b", recent) + "]"));
            store.ingest(calls, "t2", StoreContractTest.rows(calls, "t2", "[" + row("a", old) + "]"));
            Position before = store.changes().head();

            Retention retention = new Retention(store, List.of(calls), Clock.fixed(NOW, ZoneOffset.UTC));
            assertThat(retention.run()).isEqualTo(2);

            List<Change> deletes = StoreContractTest.after(store, before, 2);
            assertThat(deletes).extracting(Change::op).containsOnly(Op.DELETE);
            assertThat(deletes).extracting(c -> c.tenant() + "/" + c.key()).containsExactlyInAnyOrder("t1/a", "t2/a");
            List<String> left = new ArrayList<>();
            store.read(s -> {
                s.query("SELECT user_id, id FROM call_logs", List.of(), r -> left.add(r.raw("user_id") + "/" + r.raw("id")));
                return null;
            });
            assertThat(left).containsExactly("t1/b");
            assertThat(retention.run()).as("nothing more expired").isZero();
        }
    }

    @Test
    void aBacklog_drainsInBatches_oldestFirst() throws Exception {
        Dataset calls = calls(Optional.of(Duration.ofDays(7)));
        try (Store store = SqliteStore.open(dir.resolve("b.db"))) {
            store.migrate(List.of(calls));
            StringBuilder rows = new StringBuilder("[");
            int n = Retention.BATCH + 5;
            for (int i = 0; i < n; i++) {
                rows.append(i == 0 ? "" : ",").append(row("r" + i, NOW.minus(Duration.ofDays(30)).plusSeconds(i)));
            }
            store.ingest(calls, "t1", StoreContractTest.rows(calls, "t1", rows.append("]").toString()));
            Retention retention = new Retention(store, List.of(calls), Clock.fixed(NOW, ZoneOffset.UTC));
            assertThat(retention.run()).isEqualTo(Retention.BATCH);
            List<String> left = new ArrayList<>();
            store.read(s -> {
                s.query("SELECT id FROM call_logs ORDER BY started_at", List.of(), r -> left.add(String.valueOf(r.raw("id"))));
                return null;
            });
            assertThat(left).containsExactly("r1000", "r1001", "r1002", "r1003", "r1004");
            assertThat(retention.run()).isEqualTo(5);
        }
    }

    @Test
    void aDatasetWithoutRetention_isLeftAlone_andABadRetentionIsRefused() throws Exception {
        assertThat(new Retention(null, List.of(calls(Optional.empty())), Clock.systemUTC()).isEmpty()).isTrue();
        String yaml = Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")).replaceFirst("(?m)^call_logs:\\n", "call_logs:\n  retention: soon\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DatasetCatalog.parse(yaml, "calls"))
                .hasMessageContaining("retention must look like 12h, 30d or 8w, got 'soon'");
        assertThat(DatasetCatalog.parse(yaml.replace("retention: soon", "retention: 2w"), "calls").stream()
                .filter(x -> x.name().equals("call_logs")).findFirst().orElseThrow().retention()).contains(Duration.ofDays(14));
    }
}
