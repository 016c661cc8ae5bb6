package dev.switchboard;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.live.DashboardDef;
import dev.switchboard.live.Definitions;
import dev.switchboard.packs.Simulator;
import dev.switchboard.packs.Simulators;
import dev.switchboard.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs every pack's simulator in demo mode, writing through the same validation as the API. */
final class Simulation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Steps per second. */
    static final int STEPS = 4;
    static final java.time.Duration BACKFILL = java.time.Duration.ofHours(24);
    static final java.time.Duration BACKFILL_STEP = java.time.Duration.ofMinutes(10);
    static final int BACKFILL_EVENTS = 4;

    private final Store store;
    private final DatasetCatalog catalog;
    private final Clock clock;
    private final double rate;
    private final List<Simulator> simulators = Simulators.all();
    private final Map<String, Set<String>> tenantsByDataset = new ConcurrentHashMap<>();
    private final Thread thread;
    private final boolean backfill;
    private volatile boolean running = true;

    /** With {@code backfill}, first writes the last 24 hours of traffic, so a new demo has history to show. */
    Simulation(Store store, DatasetCatalog catalog, Clock clock, double rate, boolean backfill) {
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
        this.rate = rate;
        this.backfill = backfill;
        this.thread = Thread.ofPlatform().name("simulator").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        SplittableRandom random = new SplittableRandom(42);
        Simulator.Writer writer = new Simulator.Writer() {
            public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
                Dataset d = catalog.find(dataset).orElseThrow();
                List<JsonNode> nodes = new ArrayList<>();
                rows.forEach(r -> nodes.add(JSON.valueToTree(r)));
                var v = RowValidator.validate(d, tenant, nodes);
                if (!v.ok()) {
                    LOG.warn("simulated {} rows rejected: {}", dataset, v.problems().get(0));
                    return;
                }
                store.ingest(d, tenant, v.rows());
                tenantsByDataset.computeIfAbsent(dataset, k -> ConcurrentHashMap.newKeySet()).add(tenant);
            }

            public void delete(String tenant, String dataset, List<String> keys) {
                store.delete(catalog.find(dataset).orElseThrow(), tenant, keys);
            }
        };
        if (backfill) {
            java.time.Instant end = clock.instant();
            for (java.time.Instant t = end.minus(BACKFILL); t.isBefore(end) && running; t = t.plus(BACKFILL_STEP)) {
                for (Simulator s : simulators) {
                    s.step(t, BACKFILL_EVENTS, random, writer);
                }
            }
            LOG.info("backfilled {} of simulated history", BACKFILL);
        }
        double perStep = rate / STEPS / Math.max(1, simulators.size());
        double carry = 0;
        while (running) {
            long t0 = clock.millis();
            carry += perStep;
            int n = (int) carry;
            carry -= n;
            for (Simulator s : simulators) {
                try {
                    s.step(clock.instant(), n, random, writer);
                } catch (RuntimeException e) {
                    LOG.warn("simulator {} failed: {}", s.pack(), e.toString());
                }
            }
            long left = 1000 / STEPS - (clock.millis() - t0);
            if (left > 0) {
                try {
                    Thread.sleep(left); // pacing real time, not waiting for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** For the demo page's pickers: which tenants have data for each dashboard's datasets. */
    Map<String, List<String>> tenantsByDashboard(Definitions definitions) {
        Map<String, List<String>> out = new TreeMap<>();
        for (DashboardDef d : definitions.all()) {
            Set<String> tenants = new TreeSet<>();
            d.datasets().forEach(ds -> tenants.addAll(tenantsByDataset.getOrDefault(ds, Set.of())));
            out.put(d.name(), List.copyOf(tenants));
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
