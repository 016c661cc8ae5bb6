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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /**
     * Simulated time per backfill step. Two minutes gives the calls pack about 50 calls an hour per
     * tenant and takes about 10 s to write; the live default rate is busier than that.
     */
    static final java.time.Duration BACKFILL_STEP = java.time.Duration.ofMinutes(2);
    static final int BACKFILL_EVENTS = 4;
    /** Backfill steps written per transaction (per tenant and dataset). */
    static final int BACKFILL_BATCH_STEPS = 15;

    private final Store store;
    private final DatasetCatalog catalog;
    private final Clock clock;
    private final double rate;
    private final List<Simulator> simulators = Simulators.all();
    private final Map<String, Set<String>> tenantsByDataset = new ConcurrentHashMap<>();
    private final Thread thread;
    /**
     * Seeded by how far the database has come: a new database gets the same history every time
     * (seed 42), and a restart on an existing one draws new row ids rather than repeating the
     * first run's (which would overwrite its rows, or collide with other tenants').
     */
    private final SplittableRandom random;
    private final Simulator.Writer writer = new Simulator.Writer() {
        public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
            validated(tenant, dataset, rows).ifPresent(v -> write(tenant, dataset, v));
        }

        public void delete(String tenant, String dataset, List<String> keys) {
            store.delete(catalog.find(dataset).orElseThrow(), tenant, keys);
        }
    };
    private volatile boolean running = true;

    Simulation(Store store, DatasetCatalog catalog, Clock clock, double rate) {
        long head = store.changes().head().seq();
        this.random = new SplittableRandom(head == 0 ? 42 : 42 ^ (head * 0x9E3779B97F4A7C15L) ^ clock.millis());
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
        this.rate = rate;
        this.thread = Thread.ofPlatform().name("simulator").daemon().unstarted(this::run);
    }

    /**
     * Writes the last 24 hours of traffic, so a new demo has history to show; call before
     * {@link #start}, which carries on from the same simulated state (calls still running, etc.).
     */
    void backfill() {
        long t0 = System.nanoTime();
        Batch batch = new Batch(writer);
        java.time.Instant end = clock.instant();
        int steps = 0;
        for (java.time.Instant t = end.minus(BACKFILL); t.isBefore(end); t = t.plus(BACKFILL_STEP)) {
            for (Simulator s : simulators) {
                s.step(t, BACKFILL_EVENTS, random, batch);
            }
            if (++steps % BACKFILL_BATCH_STEPS == 0) {
                batch.flush();
            }
        }
        batch.flush();
        LOG.info("wrote {} of simulated history in {} ms", BACKFILL, (System.nanoTime() - t0) / 1_000_000);
    }

    void start() {
        thread.start();
    }

    private void run() {
        double perStep = rate / STEPS / Math.max(1, simulators.size());
        double carry = 0;
        while (running) {
            long t0 = clock.millis();
            carry += perStep;
            int n = (int) carry;
            carry -= n;
            for (Simulator s : simulators) {
                if (!running) {
                    return;
                }
                try {
                    s.step(clock.instant(), n, random, writer);
                } catch (RuntimeException e) {
                    if (!running) {
                        return; // the server is closing under this step: its store may already be gone
                    }
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

    private Optional<List<Map<String, Object>>> validated(String tenant, String dataset, List<Map<String, Object>> rows) {
        Dataset d = catalog.find(dataset).orElseThrow();
        List<JsonNode> nodes = new ArrayList<>();
        rows.forEach(r -> nodes.add(JSON.valueToTree(r)));
        var v = RowValidator.validate(d, tenant, nodes);
        if (!v.ok()) {
            LOG.warn("simulated {} rows rejected: {}", dataset, v.problems().get(0));
            return Optional.empty();
        }
        return Optional.of(v.rows());
    }

    private void write(String tenant, String dataset, List<Map<String, Object>> validRows) {
        store.ingest(catalog.find(dataset).orElseThrow(), tenant, validRows);
        tenantsByDataset.computeIfAbsent(dataset, k -> ConcurrentHashMap.newKeySet()).add(tenant);
    }

    /**
     * The backfill's writer: keeps validated rows per (tenant, dataset), in order, and writes each
     * list in one transaction on {@link #flush}; a delete first writes what its list holds. Rows of
     * different lists are different rows, so only the order within a list matters.
     */
    private final class Batch implements Simulator.Writer {
        private final Simulator.Writer direct;
        private final Map<List<String>, List<Map<String, Object>>> pending = new LinkedHashMap<>();

        Batch(Simulator.Writer direct) {
            this.direct = direct;
        }

        public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
            validated(tenant, dataset, rows).ifPresent(v -> pending.computeIfAbsent(List.of(tenant, dataset), k -> new ArrayList<>()).addAll(v));
        }

        public void delete(String tenant, String dataset, List<String> keys) {
            flush(List.of(tenant, dataset));
            direct.delete(tenant, dataset, keys);
        }

        void flush() {
            List.copyOf(pending.keySet()).forEach(this::flush);
        }

        private void flush(List<String> group) {
            List<Map<String, Object>> rows = pending.remove(group);
            if (rows != null && !rows.isEmpty()) {
                write(group.get(0), group.get(1), rows);
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
        try {
            // The store closes after this returns: let a step in flight finish (a few writes) first.
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
