package dev.switchboard;

import dev.switchboard.auth.Access;
import dev.switchboard.broker.Broker;
import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.http.HttpServer;
import dev.switchboard.packs.Pack;
import dev.switchboard.packs.Packs;
import dev.switchboard.hub.Hub;
import dev.switchboard.keys.ApiKeys;
import dev.switchboard.limits.Admission;
import dev.switchboard.limits.Limits;
import dev.switchboard.live.Definitions;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.push.Streams;
import dev.switchboard.store.Store;
import dev.switchboard.store.sqlite.SqliteStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the lifecycle of one server: the only class that names concrete adapters. Start order
 * follows the data: store, change feed, hub and engine, HTTP, then simulated traffic.
 */
public final class Switchboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);
    /** Health says degraded while changes wait longer than this between capture and dispatch. */
    static final java.time.Duration LAG_DEGRADED = java.time.Duration.ofSeconds(2);

    private final Config config;
    private final Clock clock;
    /** The NATS connection of an edge node ({@code --role edge}); empty otherwise. */
    private final java.util.Optional<Broker> broker;
    private final Store store;
    private final DatasetCatalog catalog;
    private final ChangeFeed feed;
    private final Hub hub;
    private final LiveEngine engine;
    private final Streams streams;
    private final HttpServer http;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("sb-timer-", 0).factory());
    private final long started;
    private final PrometheusMeterRegistry metrics;
    private Simulation simulation;
    private Optional<AlertWebhook> alertWebhook = Optional.empty();
    /** JVM, process, pool and capture-lag series ({@link Metrics}); closed with the server. */
    private AutoCloseable processMetrics = () -> { };
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    private Switchboard(Config config, Clock clock, Limits limits) {
        this.config = config;
        this.clock = clock;
        this.started = clock.millis();
        PackResources.Contents packs = PackResources.load();
        this.catalog = packs.datasets();
        Map<String, String> sources = new LinkedHashMap<>(packs.dashboards());
        config.dashboards().ifPresent(dir -> sources.putAll(Definitions.readFolder(dir)));
        Definitions definitions = Definitions.load(sources, catalog);
        if (config.role().equals("capture")) {
            throw new IllegalArgumentException("--role capture runs a capture node, not a server (Main starts it)");
        }
        this.broker = config.role().equals("edge") ? java.util.Optional.of(connectBroker(config, "switchboard edge " + config.node()))
                : java.util.Optional.empty();
        this.store = openStore(config, broker);
        store.migrate(List.copyOf(catalog.all()));
        if (config.demo() && config.simulateRate() > 0) {
            this.simulation = new Simulation(store, catalog, clock, config.simulateRate());
            // Before the feed and the views exist: they start from the finished history, and the
            // first page a visitor sees has full charts rather than days being drawn in.
            Position head = store.changes().head();
            Optional<Instant> lastWrite = head.seq() == 0 ? Optional.empty()
                    : store.changes().read(new Position(head.epoch(), head.seq() - 1), 1).stream().map(Change::commitTime).findFirst();
            if (head.seq() == 0) {
                LOG.info("new database: writing simulated history first (as far back as each pack's longest chart)");
                simulation.backfill();
            } else if (lastWrite.isPresent()) {
                // A restart: the demo was down since its last write; fill that gap so charts continue.
                simulation.resume(lastWrite.get());
            }
        }
        ChangeSource source = store.changes();
        Position start = source.warmStart(config.ringSize());
        this.feed = new ChangeFeed(source, start);
        this.hub = new Hub(feed, clock, config.ringSize(), config.ringBytes(), start, Math.max(1, Runtime.getRuntime().availableProcessors()), config.topicIdle());
        this.engine = new LiveEngine(definitions, catalog, store, clock, feed, hub, config.viewIdle())
                .maxViewsPerTenant(config.maxViewsPerTenant()).maxViewsPerPrincipal(config.maxViewsPerPrincipal())
                .tenantZones(t -> Optional.ofNullable(config.tenantZones().get(t)));
        feed.addListener(hub); // first: a batch's change events go out before the deltas they caused
        feed.addListener(engine);
        this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.streams = new Streams(engine, hub, feed, Streams.BACKFILL_THREADS, config.backfillMax(), config.sseQueue(), metrics);
        ApiKeys keys = new ApiKeys(store, clock);
        Access access = config.open() ? Access.anyone()
                : Access.withKeys(Access.jwt(config.jwtSecret().orElseThrow().getBytes(StandardCharsets.UTF_8), clock, limits.maxTokenLifetime()),
                        ApiKeys.PREFIX, keys::authenticate);
        this.http = new HttpServer(config.host(), config.port(), store, catalog, engine, streams, access, this::health, this::demoInfo,
                metrics::scrape, config.allowedOrigins(), new HttpServer.Tuning(config.httpThreads(), config.httpIdleTimeout(), config.httpSendBuffer(),
                        config.workPermits()), metrics,
                limits, new Admission(limits, clock, metrics), keys,
                config.webhookSecret().map(s -> Map.of("webhook", s)).orElse(Map.of()));
        for (Pack pack : Packs.all()) {
            pack.compat().accept(http.routes());
            http.routes().defaultStream(pack.stream().primaryDataset(), pack.stream().dashboards(), pack.stream().datasets());
        }
        registerMetrics();
        config.alertWebhook().ifPresent(url -> {
            AlertWebhook hook = new AlertWebhook(java.net.URI.create(url), config.alertWebhookSecret(), scheduler);
            engine.onAlert(hook::send);
            alertWebhook = Optional.of(hook);
        });
    }

    private void registerMetrics() {
        FunctionCounter.builder("switchboard_changes_dispatched", engine, LiveEngine::changesApplied)
                .description("Committed row changes read from the change log and dispatched").register(metrics);
        FunctionCounter.builder("switchboard_events_published", hub, Hub::published)
                .description("Events published to hub topics (each serialized once)").register(metrics);
        FunctionCounter.builder("switchboard_reconcile_mismatches", engine, LiveEngine::reconcileMismatches)
                .description("Views found to differ from SQL by the reconciler, and rebuilt").register(metrics);
        FunctionCounter.builder("switchboard_sse_overflows", this, sb -> streams.overflows())
                .description("Times a stream's queue (every transport) overflowed and was dropped; it is resynchronized once its client"
                        + " takes data again").register(metrics);
        FunctionCounter.builder("switchboard_stream_stalls", this, sb -> dev.switchboard.push.Session.stalled())
                .description("Stream sessions ended because their client took no data for 30 s").register(metrics);
        FunctionCounter.builder("switchboard_backfills", this, sb -> streams.backfills())
                .description("Pages of change-log backfills served to clients resuming beyond a topic's ring").register(metrics);
        FunctionCounter.builder("switchboard_backfills_refused", this, sb -> streams.backfillsRefused())
                .description("Backfills refused by the node's budget (those clients got a reset)").register(metrics);
        FunctionCounter.builder("switchboard_view_failures", engine, LiveEngine::failures)
                .description("View work that failed (a change not applied, a bootstrap or refill query) and was repaired or retried")
                .register(metrics);
        Gauge.builder("switchboard_dispatch_lag_seconds", feed, f -> f.lagMillis() / 1000.0)
                .description("How long the last batch waited between capture and dispatch on the owner thread").register(metrics);
        Gauge.builder("switchboard_delivery_lag_seconds", hub, h -> h.deliveryLagMillis() / 1000.0)
                .description("How long published events wait for a fan-out thread").register(metrics);
        Gauge.builder("switchboard_delivery_lag_max_seconds", hub, h -> h.worstDeliveryLagMillis() / 1000.0)
                .description("The longest published events waited for a fan-out thread over the last 10 s").register(metrics);
        Gauge.builder("switchboard_views", engine, LiveEngine::viewCount).description("Live views in memory").register(metrics);
        Gauge.builder("switchboard_topics", hub, Hub::topicCount).description("Hub topics").register(metrics);
        Gauge.builder("switchboard_subscribers", hub, Hub::subscriberCount).description("Topic subscriptions").register(metrics);
        Gauge.builder("switchboard_sse_sessions", http, h -> h.sessions().size()).description("Open SSE connections").register(metrics);
        // seed 003's connection tracking (l.128-136), for every transport that registers its sessions
        Gauge.builder("switchboard_stream_connections", http, h -> h.sessions().connections().active())
                .description("Open stream connections (every transport)").register(metrics);
        Gauge.builder("switchboard_stream_connection_longest_seconds", http, h -> h.sessions().connections().longestOpenSeconds())
                .description("How long the oldest open stream connection has been open").register(metrics);
        FunctionCounter.builder("switchboard_stream_connections_opened", http, h -> h.sessions().connections().opened())
                .description("Stream connections opened").register(metrics);
        FunctionCounter.builder("switchboard_stream_connections_ended", http, h -> h.sessions().connections().ended())
                .description("Stream connections that ended").register(metrics);
        FunctionCounter.builder("switchboard_stream_connection_seconds", http, h -> h.sessions().connections().endedSeconds())
                .description("Total duration of the stream connections that ended (divide by _ended_total for the mean)").register(metrics);
        FunctionCounter.builder("switchboard_stream_connections_failed", http, h -> h.sessions().connections().failed())
                .description("Stream requests refused before opening (bad token, no access, bad parameters, limits)").register(metrics);
        FunctionCounter.builder("switchboard_stream_message_errors", http, h -> h.sessions().connections().messageErrors())
                .description("Client messages on open streams answered with an error").register(metrics);
        for (String transport : List.of("sse", "websocket", "socketio", "poll")) {
            Gauge.builder("switchboard_stream_sessions", http, h -> h.sessions().open(transport)).tag("transport", transport)
                    .description("Open streams by transport (pending long-polls for poll)").register(metrics);
        }
        io.micrometer.core.instrument.Timer bootstraps = io.micrometer.core.instrument.Timer.builder("switchboard_view_bootstrap")
                .description("Time from a view's compile to its bootstrap query's rows installed on the owner thread")
                .publishPercentileHistogram().register(metrics);
        engine.onBootstrapped(nanos -> bootstraps.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        processMetrics = Metrics.bind(metrics, store);
    }

    private static Store openStore(Config config, java.util.Optional<Broker> broker) {
        if (broker.isPresent()) {
            try {
                return StoreFactory.postgresEdge(config.database().orElseThrow(), config.node(), config.pgPoolSize(), broker.get()::source);
            } catch (RuntimeException e) {
                broker.get().close();
                throw e;
            }
        }
        if (config.database().isPresent()) {
            return StoreFactory.postgres(config.database().get(), config.node(), config.pgPoolSize());
        }
        return SqliteStore.open(config.dataDir().resolve("switchboard.db"));
    }

    /** Connects to the NATS server(s) of {@code --broker} with the stream settings of {@code config}. */
    static Broker connectBroker(Config config, String name) {
        return Broker.connect(new Broker.Settings(config.broker().orElseThrow(), config.brokerStream(), config.brokerRetention(),
                config.brokerMaxMb() * 1024L * 1024L), name);
    }

    /** Builds and starts a server. */
    public static Switchboard start(Config config, Clock clock) {
        return start(config, clock, Limits.fromEnvironment(System.getenv()));
    }

    /** Builds and starts a server with the given abuse limits (docs/SECURITY.md). */
    public static Switchboard start(Config config, Clock clock, Limits limits) {
        Switchboard sb = new Switchboard(config, clock, limits);
        sb.feed.start();
        sb.http.start();
        Config c = sb.config;
        sb.every("tick", sb.engine::tick, c.tick());
        sb.every("heartbeat", sb.http.sessions()::heartbeat, c.heartbeat());
        sb.every("reconcile", sb.engine::reconcile, c.reconcile());
        sb.every("sweep", sb.hub::sweep, c.sweep());
        if (sb.store instanceof SqliteStore sqlite) {
            sb.every("prune", () -> sqlite.pruneChanges(c.sqliteKeepChanges()), c.sqliteMaintenance());
            sb.every("optimize", sqlite::optimize, c.sqliteMaintenance());
        }
        Retention retention = new Retention(sb.store, sb.catalog.all(), sb.clock);
        if (!retention.isEmpty() && !c.role().equals("edge")) {
            sb.every("retention", retention::run, c.retentionInterval());
        }
        if (sb.simulation != null) {
            sb.simulation.start();
        }
        return sb;
    }

    private void every(String what, Runnable task, java.time.Duration period) {
        scheduler.scheduleAtFixedRate(guard(what, task), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Runnable guard(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", what, e.toString());
            }
        };
    }

    Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        List<String> problems = new java.util.ArrayList<>(feed.problem().stream().toList());
        if (feed.lagMillis() > LAG_DEGRADED.toMillis()) {
            problems.add("changes wait " + feed.lagMillis() + " ms between capture and dispatch (more than "
                    + LAG_DEGRADED.toMillis() + " ms): this node is overloaded");
        }
        long delivery = hub.worstDeliveryLagMillis();
        if (delivery > LAG_DEGRADED.toMillis()) {
            problems.add("events waited up to " + delivery + " ms between publishing and delivery to subscribers in the last 10 s (more than "
                    + LAG_DEGRADED.toMillis() + " ms): this node has more subscribers or views than it can serve");
        }
        h.put("status", problems.isEmpty() ? "ok" : "degraded");
        if (!problems.isEmpty()) {
            h.put("problems", problems);
        }
        h.put("mode", config.demo() ? "demo" : "serve");
        h.put("role", config.role());
        h.put("store", store.dialect().name());
        h.put("node", config.node());
        h.put("position", feed.position().toString());
        h.put("uptime_seconds", (clock.millis() - started) / 1000);
        h.put("views", engine.viewCount());
        h.put("topics", hub.topicCount());
        h.put("subscribers", hub.subscriberCount());
        h.put("sse_sessions", http.sessions().size());
        h.put("changes_dispatched", engine.changesApplied());
        h.put("events_published", hub.published());
        h.put("reconcile_mismatches", engine.reconcileMismatches());
        h.put("views_booting", engine.bootingCount());
        h.put("view_failures", engine.failures());
        h.put("dispatch_lag_ms", feed.lagMillis());
        h.put("delivery_lag_ms", hub.deliveryLagMillis());
        h.put("delivery_lag_max_ms", delivery);
        h.put("deliveries", hub.deliveries());
        h.put("outbox_overflows", streams.overflows());
        h.put("backfills", streams.backfills());
        h.put("backfills_refused", streams.backfillsRefused());
        return h;
    }

    Map<String, Object> demoInfo() {
        return Map.of("tenants", simulation == null ? Map.of() : simulation.tenantsByDashboard(engine.definitions()));
    }

    /** The HTTP layer's work turns (for tests). */
    dev.switchboard.turns.Turns workTurns() {
        return http.workTurns();
    }

    public int port() {
        return http.port();
    }

    /** Every route the server has, as {@code "METHOD /template"}. */
    public List<String> routes() {
        return http.routes().list();
    }

    /** The HTTP server (its sessions, for tests). */
    HttpServer http() {
        return http;
    }

    public LiveEngine engine() {
        return engine;
    }

    public ChangeFeed feed() {
        return feed;
    }

    public Store store() {
        return store;
    }

    /** Where the SQLite file lives (unused on PostgreSQL). */
    public java.nio.file.Path dataDir() {
        return config.dataDir();
    }

    public DatasetCatalog catalog() {
        return catalog;
    }

    /**
     * Stops gracefully within {@link Config#shutdownTimeout()}, as on SIGTERM: see
     * {@link #shutdown(Duration)}.
     */
    public void shutdown() {
        shutdown(config.shutdownTimeout());
    }

    /**
     * Stops gracefully, for a rolling restart: simulated traffic stops; new connections and
     * requests are refused (503, so a load balancer moves on); every stream writes what is queued
     * for it, then a {@code reconnect} notice carrying its last position, and ends, so its client
     * resumes on another node without a gap or a repeat; requests in progress (ingest) finish;
     * then capture (the replication connection, which leaves the slot and its stored floor where
     * they are, or the SQLite reader) and the store close. The streams and requests get all of
     * {@code bound} but a reserve for closing (a quarter, at most 5 s); what has not ended by then
     * is cut. {@link #close()} is the immediate stop.
     */
    public void shutdown(Duration bound) {
        Duration reserve = bound.dividedBy(4).compareTo(SHUTDOWN_RESERVE) < 0 ? bound.dividedBy(4) : SHUTDOWN_RESERVE;
        LOG.info("shutting down: telling {} streams to reconnect elsewhere, refusing new requests (within {} s)",
                http.sessions().size(), bound.minus(reserve).toMillis() / 1000.0);
        if (simulation != null) {
            simulation.close();
        }
        boolean drained = http.drain(bound.minus(reserve));
        if (drained) {
            LOG.info("streams ended and requests finished; closing capture and the store");
        } else {
            LOG.warn("shutdown: {} still after {} s; cutting them", http.inProgress(), bound.minus(reserve).toMillis() / 1000.0);
        }
        close();
        LOG.info("stopped");
    }

    /** Of a graceful stop's time, the most kept for closing capture and the store after the streams. */
    static final Duration SHUTDOWN_RESERVE = Duration.ofSeconds(5);

    /** Stops at once: streams end without a notice (clients reconnect as after a network loss). */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (simulation != null) {
            simulation.close();
        }
        scheduler.shutdownNow();
        alertWebhook.ifPresent(AlertWebhook::close);
        http.close();
        streams.close();
        feed.close();
        hub.close();
        store.close();
        broker.ifPresent(Broker::close);
        try {
            processMetrics.close();
        } catch (Exception e) {
            LOG.warn("closing metrics failed: {}", e.toString());
        }
    }
}
