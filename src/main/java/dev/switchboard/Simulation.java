package dev.switchboard;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.live.DashboardDef;
import dev.switchboard.live.Definitions;
import dev.switchboard.packs.Simulator;
import dev.switchboard.packs.Simulators;
import dev.switchboard.store.Store;
import dev.switchboard.packs.Arrivals;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

/**
 * Runs every pack's simulator in demo mode, writing through the same validation as the API.
 *
 * <p>Each pack's {@link Arrivals} says when its tenants act. The backfill and the live loop both
 * advance a simulator with {@link #advance}, which draws each tenant's events for an interval from
 * that model: history has the density of live traffic by construction, only cut into coarser steps.
 * {@code --simulate-rate} scales every tenant's rate ({@link #MODEL_RATE}, the default, is the model
 * as declared); above it, the backfill covers a proportionally shorter span, so starting a demo
 * costs the same at any rate.
 */
final class Simulation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Live steps per second. */
    static final int STEPS = 4;
    /** The {@code --simulate-rate} (its default) at which tenants act as their packs' arrival models declare. */
    static final double MODEL_RATE = 20;
    /** Backfill rows kept before they are written, each (tenant, dataset) in one transaction. */
    static final int BACKFILL_BATCH_ROWS = 2_000;

    private final Store store;
    private final DatasetCatalog catalog;
    private final Clock clock;
    private final double scale;
    private final List<Simulator> simulators;
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
    /** Where the simulated state stands: every simulator has been stepped to here. Only moves forward. */
    private Instant last;
    private volatile boolean running = true;

    Simulation(Store store, DatasetCatalog catalog, Clock clock, double rate) {
        this(store, catalog, clock, rate, Simulators.all());
    }

    Simulation(Store store, DatasetCatalog catalog, Clock clock, double rate, List<Simulator> simulators) {
        long head = store.changes().head().seq();
        this.random = new SplittableRandom(head == 0 ? 42 : 42 ^ (head * 0x9E3779B97F4A7C15L) ^ clock.millis());
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
        this.scale = rate / MODEL_RATE;
        this.simulators = List.copyOf(simulators);
        this.last = clock.instant();
        this.thread = Thread.ofPlatform().name("simulator").daemon().unstarted(this::run);
    }

    /** How far back a new database gets history of {@code s}: its arrival model's, shortened above the model rate. */
    Duration span(Simulator s) {
        Duration history = s.arrivals().history();
        return scale <= 1 ? history : Duration.ofMillis((long) (history.toMillis() / scale));
    }

    /**
     * Writes each pack's history up to now, as far back as {@link #span} (its longest chart), so a
     * new demo opens on full charts; call before {@link #start}, which carries on from the same
     * simulated state (calls still running, etc.).
     */
    void backfill() {
        backfill(Optional.empty());
    }

    private void backfill(Optional<Instant> since) {
        long t0 = System.nanoTime();
        long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        Instant end = clock.instant();
        Batch batch = new Batch(writer);
        List<String> packs = new ArrayList<>();
        for (Simulator s : simulators) {
            Instant from = end.minus(span(s));
            if (since.isPresent() && since.get().isAfter(from)) {
                from = since.get().isAfter(end) ? end : since.get();
            }
            long rows = batch.written;
            long ms = System.nanoTime();
            advance(s, from, end, s.arrivals().tick(), batch);
            batch.flush();
            long minutes = Duration.between(from, end).toMinutes();
            packs.add(s.pack() + " " + (minutes < 120 ? minutes + " min" : minutes / 60 + " h") + ": " + (batch.written - rows) + " rows, "
                    + (System.nanoTime() - ms) / 1_000_000 + " ms");
        }
        last = end;
        LOG.info("wrote {} rows of simulated history in {} ms ({} ms CPU) {}", batch.written, (System.nanoTime() - t0) / 1_000_000,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1_000_000, packs);
    }

    /**
     * Steps {@code s} from {@code from} to {@code to}, at most {@code tick} at a time, each step with
     * the events its arrival model draws for that interval. The backfill and the live loop both
     * come through here, which is what makes history as dense as live traffic.
     */
    void advance(Simulator s, Instant from, Instant to, Duration tick, Simulator.Writer w) {
        Instant t = from;
        while (t.isBefore(to)) {
            Instant next = t.plus(tick);
            if (next.isAfter(to)) {
                next = to;
            }
            s.step(next, s.arrivals().draw(t, next, scale, random), random, w);
            t = next;
        }
    }

    /**
     * A restart: each simulator takes back the rows the previous run left in progress, then the
     * history from {@code since} (that run's last write) to now is written, at most each pack's
     * {@link #span}, so charts continue instead of showing a gap and open rows move on.
     */
    void resume(Instant since) {
        for (Simulator s : simulators) {
            s.resume(new StoredRows(s.arrivals().tenants()), random);
        }
        backfill(Optional.of(since));
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            long t0 = System.nanoTime();
            step(writer);
            long left = 1000 / STEPS - (System.nanoTime() - t0) / 1_000_000;
            if (left > 0 && running) {
                try {
                    Thread.sleep(left); // pacing real time, not waiting for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One live step: every simulator from where the state stands to the clock's now, through {@code w}. */
    void step(Simulator.Writer w) {
        Instant now = clock.instant();
        if (!now.isAfter(last)) {
            return; // the clock stepped back: simulated time never does
        }
        for (Simulator s : simulators) {
            if (!running) {
                return;
            }
            try {
                advance(s, last, now, s.arrivals().tick(), w);
            } catch (RuntimeException e) {
                if (!running) {
                    return; // the server is closing under this step: its store may already be gone
                }
                LOG.warn("simulator {} failed: {}", s.pack(), e.toString());
            }
        }
        last = now;
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
     * list in one transaction on {@link #flush}, then the deletes it held (one transaction per
     * list). Rows of different lists are different rows, so only the order within a list matters;
     * and a key once deleted is never written again, so its delete may wait for the flush.
     */
    private final class Batch implements Simulator.Writer {
        private final Simulator.Writer direct;
        private final Map<List<String>, List<Map<String, Object>>> pending = new LinkedHashMap<>();
        private final Map<List<String>, List<String>> deletes = new LinkedHashMap<>();
        private int held;
        long written;

        Batch(Simulator.Writer direct) {
            this.direct = direct;
        }

        public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
            validated(tenant, dataset, rows).ifPresent(v -> pending.computeIfAbsent(List.of(tenant, dataset), k -> new ArrayList<>()).addAll(v));
            held += rows.size();
            if (held >= BACKFILL_BATCH_ROWS) {
                flush();
            }
        }

        /** Held until the group's rows are written: simulators never write a key again once they delete it. */
        public void delete(String tenant, String dataset, List<String> keys) {
            deletes.computeIfAbsent(List.of(tenant, dataset), k -> new ArrayList<>()).addAll(keys);
        }

        void flush() {
            List.copyOf(pending.keySet()).forEach(this::flush);
            deletes.forEach((group, keys) -> direct.delete(group.get(0), group.get(1), keys));
            deletes.clear();
            held = 0;
        }

        private void flush(List<String> group) {
            List<Map<String, Object>> rows = pending.remove(group);
            if (rows != null && !rows.isEmpty()) {
                write(group.get(0), group.get(1), rows);
                written += rows.size();
            }
        }
    }

    /** The previous run's rows of some tenants, read back with the types a simulator writes (JSON-shaped). */
    private final class StoredRows implements Simulator.Stored {
        private final List<String> tenants;

        StoredRows(List<String> tenants) {
            this.tenants = tenants;
        }

        @Override
        public List<Map<String, Object>> rows(String dataset, String column, List<String> values) {
            if (values.isEmpty()) {
                return List.of();
            }
            Dataset d = catalog.find(dataset).orElseThrow();
            boolean flag = d.column(column).map(c -> c.type() == ColumnType.BOOLEAN).orElse(false);
            List<Object> params = new ArrayList<>(tenants);
            values.forEach(v -> params.add(flag ? (Object) Boolean.parseBoolean(v) : v));
            String sql = "SELECT * FROM " + d.name() + " WHERE " + d.tenant() + " IN (" + marks(tenants.size()) + ") AND " + column
                    + " IN (" + marks(values.size()) + ") ORDER BY " + d.key();
            List<Map<String, Object>> out = new ArrayList<>();
            store.read(snapshot -> {
                snapshot.query(sql, params, r -> out.add(shaped(d, r)));
                return null;
            });
            return out;
        }

        @Override
        public Optional<String> highest(String dataset, String column) {
            Dataset d = catalog.find(dataset).orElseThrow();
            String sql = "SELECT " + column + " AS v FROM " + d.name() + " WHERE " + d.tenant() + " IN (" + marks(tenants.size()) + ") AND "
                    + column + " IS NOT NULL ORDER BY length(" + column + ") DESC, " + column + " DESC LIMIT 1";
            List<String> out = new ArrayList<>();
            store.read(snapshot -> {
                snapshot.query(sql, List.copyOf(tenants), r -> r.text("v").ifPresent(out::add));
                return null;
            });
            return out.stream().findFirst();
        }

        private static String marks(int n) {
            return String.join(", ", java.util.Collections.nCopies(n, "?"));
        }

        /** A stored row as the simulator wrote it: every column, times as canonical strings, JSON as maps. */
        private static Map<String, Object> shaped(Dataset d, Row r) {
            Map<String, Object> row = new LinkedHashMap<>();
            d.columns().values().forEach(c -> row.put(c.name(), r.get(c.name()).map(v -> switch (c.type()) {
                case INTEGER -> (Object) ((Number) v).longValue();
                case NUMBER -> ((Number) v).doubleValue();
                case BOOLEAN -> v instanceof Boolean b ? b : ((Number) v).longValue() != 0;
                case TIME -> Times.parse(v).map(Times::format).orElseThrow();
                case JSON -> JSON.readValue(String.valueOf(v), Object.class);
                default -> String.valueOf(v);
            }).orElse(null)));
            return row;
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
