package dev.switchboard.core;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.hub.Hub;
import dev.switchboard.live.Definitions;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.MutableClock;
import dev.switchboard.live.ViewKey;
import dev.switchboard.push.Streams;
import dev.switchboard.store.IngestResult;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live core in memory over a real SQLite file: store (gated), feed, hub, engine and streams,
 * wired as the server wires them, with the calls pack and a clock the test moves.
 */
final class Core implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    final MutableClock clock;
    final DatasetCatalog catalog;
    final Definitions defs;
    final GatedStore store;
    final ChangeFeed feed;
    final Hub hub;
    final LiveEngine engine;
    final Streams streams;
    final Dataset calls;

    Core(Path dir, Instant now) throws Exception {
        clock = new MutableClock(now);
        catalog = DatasetCatalog.of(DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        defs = Definitions.load(Map.of("calls.yaml", Files.readString(Path.of("src/main/resources/packs/calls/dashboards/calls.yaml"))), catalog);
        store = new GatedStore(SqliteStore.open(dir.resolve("core.db")));
        store.migrate(List.copyOf(catalog.all()));
        calls = catalog.find("call_logs").orElseThrow();
        feed = new ChangeFeed(store.changes(), store.changes().head());
        hub = new Hub(feed, clock, Hub.RING, feed.position(), 2);
        engine = new LiveEngine(defs, catalog, store, clock, feed, hub);
        feed.addListener(hub);
        feed.addListener(engine);
        streams = new Streams(engine, hub, feed);
        feed.start();
    }

    ViewKey calls(String tenant) {
        return defs.key(defs.find("calls").orElseThrow(), tenant, "", "", Map.of());
    }

    ViewKey calls(String tenant, String scope, String subject) {
        return defs.key(defs.find("calls").orElseThrow(), tenant, scope, subject, Map.of());
    }

    /** Upserts rows given as JSON objects, validated as the API validates them. */
    IngestResult post(String tenant, String... json) {
        List<JsonNode> rows = new ArrayList<>();
        for (String j : json) {
            rows.add(JSON.readTree(j));
        }
        var v = RowValidator.validate(calls, tenant, rows);
        if (!v.ok()) {
            throw new IllegalArgumentException(v.problems().toString());
        }
        return store.ingest(calls, tenant, v.rows());
    }

    IngestResult delete(String tenant, String key) {
        return store.delete(calls, tenant, List.of(key));
    }

    @Override
    public void close() {
        streams.close();
        feed.close();
        hub.close();
        store.close();
    }
}
