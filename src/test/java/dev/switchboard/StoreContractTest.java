package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.store.IngestException;
import dev.switchboard.store.Store;
import dev.switchboard.store.postgres.PgTestDatabase;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The store port's promises, checked the same way on both adapters. */
class StoreContractTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    @TempDir
    Path dir;

    interface Body {
        void run(Store store, Dataset calls) throws Exception;
    }

    void withStore(String kind, Body body) throws Exception {
        DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        PgTestDatabase pg = kind.equals("postgresql") ? PgTestDatabase.create("contract") : null;
        try (pg; Store store = pg == null ? SqliteStore.open(dir.resolve("c.db")) : StoreFactory.postgres(pg.url, "contract")) {
            store.migrate(List.copyOf(catalog.all()));
            body.run(store, catalog.find("call_logs").orElseThrow());
        }
    }

    static List<Map<String, Object>> rows(Dataset d, String tenant, String json) {
        List<JsonNode> nodes = new ArrayList<>();
        JSON.readTree(json).forEach(nodes::add);
        var v = RowValidator.validate(d, tenant, nodes);
        assertThat(v.problems()).isEmpty();
        return v.rows();
    }

    static List<Change> after(Store store, Position from, int atLeast) {
        List<Change> out = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            Position p = out.isEmpty() ? from : out.get(out.size() - 1).position();
            out.addAll(store.changes().read(p, 1000));
            return out.size() >= atLeast;
        });
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void ingestUpdateDelete_areCapturedInOrder_withImages(String kind) throws Exception {
        withStore(kind, (store, calls) -> {
            Position start = store.changes().head();
            var first = store.ingest(calls, "t1", rows(calls, "t1",
                    "[{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:00:00Z\",\"duration\":1},"
                            + "{\"id\":\"b\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:01:00Z\"}]"));
            assertThat(first.count()).isEqualTo(2);
            var second = store.ingest(calls, "t1", rows(calls, "t1", "[{\"id\":\"a\",\"status\":\"ended\",\"outcome\":\"completed\"}]"));
            assertThat(second.position().isAfter(first.position())).isTrue();
            store.delete(calls, "t1", List.of("b", "missing"));
            List<Change> changes = after(store, start, 4);
            assertThat(changes).extracting(Change::op).containsExactly(Op.CREATE, Op.CREATE, Op.UPDATE, Op.DELETE);
            assertThat(changes).extracting(Change::key).containsExactly("a", "b", "a", "b");
            for (int i = 1; i < changes.size(); i++) {
                assertThat(changes.get(i).position().isAfter(changes.get(i - 1).position())).isTrue();
            }
            Change update = changes.get(2);
            assertThat(update.before().raw("status")).isEqualTo("active");
            assertThat(update.after().raw("status")).isEqualTo("ended");
            assertThat(update.after().raw("duration")).as("columns the update did not carry are kept").isEqualTo(1L);
            assertThat(update.after().raw("started_at")).isEqualTo("2026-11-23T10:00:00.000Z");
            assertThat(changes.get(3).before().raw("id")).isEqualTo("b");
            assertThat(changes.get(3).after().present()).isFalse();
            assertThat(changes.get(1).position()).isEqualTo(first.position());
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void refusedIngest_writesNothing(String kind) throws Exception {
        withStore(kind, (store, calls) -> {
            store.ingest(calls, "owner", rows(calls, "owner", "[{\"id\":\"taken\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:00:00Z\"}]"));
            Position head = after(store, store.changes().floor(), 1).get(0).position();
            assertThatThrownBy(() -> store.ingest(calls, "t1", rows(calls, "t1",
                    "[{\"id\":\"fresh\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:00:00Z\"},{\"id\":\"taken\",\"status\":\"ended\"}]")))
                    // keys are private to a tenant: "taken" is a new row to t1, and a partial one at that
                    .isInstanceOf(IngestException.class).hasMessageContaining("started_at").hasMessageNotContaining("another tenant")
                    .satisfies(e -> assertThat(((IngestException) e).status()).isEqualTo(400));
            assertThatThrownBy(() -> store.ingest(calls, "t1", rows(calls, "t1", "[{\"id\":\"new\",\"status\":\"active\"}]")))
                    .isInstanceOf(IngestException.class).hasMessageContaining("started_at")
                    .satisfies(e -> assertThat(((IngestException) e).status()).isEqualTo(400));
            store.ingest(calls, "t1", rows(calls, "t1", "[{\"id\":\"marker\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:00:00Z\"}]"));
            List<Change> next = after(store, head, 1);
            assertThat(next).extracting(Change::key).containsExactly("marker");
            int count = store.read(s -> {
                List<Object> n = new ArrayList<>();
                s.query("SELECT count(*) AS n FROM call_logs", List.of(), r -> n.add(r.raw("n")));
                return ((Number) n.get(0)).intValue();
            });
            assertThat(count).isEqualTo(2);
        });
    }
}
