package dev.switchboard.push;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.hub.Hub;
import dev.switchboard.hub.RowScope;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every stream of a node shares: the engine, the hub, the feed, the threads that build
 * openings, and the budget of backfills. A resume from far back reads the change log one page at
 * a time ({@link #BACKFILL_PAGE} changes, never more than a session's queue), the next page only
 * once the client has taken the last; at most {@link #BACKFILL_THREADS} page reads run at once,
 * at most {@link #BACKFILL_QUEUE} wait, none waits longer than {@link #BACKFILL_WAIT}: a client
 * beyond that budget gets a {@code reset} (it reloads) instead of a replay.
 */
public final class Streams implements AutoCloseable {
    /** Backfills reading the change log at once. The default is 2. */
    public static final int BACKFILL_THREADS = 2;
    /** The most changes of a tenant a backfill replays; beyond that the client resets instead. The default is 100,000. */
    public static final int BACKFILL_MAX = 100_000;
    /** Changes read from the change log per page of a backfill. The default is 500. */
    public static final int BACKFILL_PAGE = 500;
    /** Page reads that may wait for a backfill thread; more are refused (the client resets). The default is 64. */
    public static final int BACKFILL_QUEUE = 64;
    /** Longest a page read waits for a backfill thread before it is refused. The default is 10 s. */
    public static final java.time.Duration BACKFILL_WAIT = java.time.Duration.ofSeconds(10);

    final LiveEngine engine;
    final Hub hub;
    final ChangeFeed feed;
    final int backfillMax;
    private final int queue;
    final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final BackfillBudget budget;
    final AtomicLong backfills = new AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("sb-expiry").factory());
    private final java.time.Clock clock = java.time.Clock.systemUTC();
    private final MeterRegistry registry;
    private final Map<String, Latency> latencies = new ConcurrentHashMap<>();

    /** The transports, the values of the {@code transport} tag. */
    static final List<String> TRANSPORTS = List.of("sse", "websocket", "socketio", "poll");

    /** Buckets of the commit-to-push histogram: what an alert on "p99 under 100 ms" or "under 1 s" needs. */
    static final Duration[] LATENCY_BUCKETS = Stream.of(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    /**
     * The commit-to-push latency of one transport: from a change's commit (the database's commit
     * time, captured with the change) to the moment its event, or the delta it caused, is handed
     * to the transport's writer, for live events only (a replay or snapshot at connect time is
     * not latency). Published as {@code switchboard_commit_to_push_seconds} with histogram
     * buckets, tagged by transport. Clocks of the database and this node must agree (NTP).
     */
    static final class Latency {
        private final Timer timer;
        private final java.time.Clock clock;

        Latency(Timer timer, java.time.Clock clock) {
            this.timer = timer;
            this.clock = clock;
        }

        /** Records the latency of an event whose newest change was committed at {@code committedMicros}; 0 (no commit): nothing. */
        void record(long committedMicros) {
            if (committedMicros <= 0) {
                return;
            }
            long now = dev.switchboard.hub.Event.micros(clock.instant());
            timer.record(Math.max(0, now - committedMicros), TimeUnit.MICROSECONDS);
        }
    }

    /** The commit-to-push latency of {@code transport} (sse, websocket, socketio, poll). */
    Latency latency(String transport) {
        return latencies.computeIfAbsent(transport, t -> new Latency(Timer.builder("switchboard_commit_to_push")
                .description("From a change's commit in the database to its event (or the delta it caused) being handed to a client's "
                        + "transport, live events only")
                .tag("transport", t)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry), clock));
    }

    public Streams(LiveEngine engine, Hub hub, ChangeFeed feed) {
        this(engine, hub, feed, BACKFILL_THREADS, BACKFILL_MAX, SseSession.QUEUE);
    }

    /** Streams whose commit-to-push latency is not published. */
    public Streams(LiveEngine engine, Hub hub, ChangeFeed feed, int backfillThreads, int backfillMax, int queue) {
        this(engine, hub, feed, backfillThreads, backfillMax, queue, new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
    }

    /**
     * @param backfillThreads change-log reads at once
     * @param backfillMax the most changes a backfill replays
     * @param queue events a session may have queued before it is resynchronized
     * @param registry where the commit-to-push latency ({@code switchboard_commit_to_push}) is published
     */
    public Streams(LiveEngine engine, Hub hub, ChangeFeed feed, int backfillThreads, int backfillMax, int queue, MeterRegistry registry) {
        this.registry = registry;
        TRANSPORTS.forEach(this::latency); // the series exist (at zero) before the first client, for dashboards and alerts
        this.queue = queue;
        this.engine = engine;
        this.hub = hub;
        this.feed = feed;
        this.backfillMax = backfillMax;
        this.budget = new BackfillBudget(backfillThreads, BACKFILL_QUEUE, BACKFILL_WAIT, System::nanoTime);
    }

    /** Changes per page of a backfill: {@link #BACKFILL_PAGE}, or a session's whole queue when that is smaller. */
    int backfillPage() {
        return Math.max(1, Math.min(BACKFILL_PAGE, queue));
    }

    /** Runs {@code read} (a page of a backfill) within the node's budget: see {@link BackfillBudget#run}. */
    <T> java.util.concurrent.CompletableFuture<java.util.Optional<T>> backfill(java.util.function.Supplier<T> read) {
        return budget.run(read);
    }

    /** What one client watches for {@code tenant}, seeing every row of its datasets. */
    public Subscription subscription(String tenant, List<ViewKey> dashboards, List<String> datasets) {
        return subscription(tenant, dashboards, datasets, RowScope.WHOLE);
    }

    /** What one client watches for {@code tenant}, seeing the rows of its datasets that {@code rows} lets through. */
    public Subscription subscription(String tenant, List<ViewKey> dashboards, List<String> datasets, RowScope rows) {
        return new Subscription(this, tenant, dashboards, datasets, rows, java.util.Set.of());
    }

    /** A subscription replacing {@code previous} for the same client: topics it did not watch start fresh. */
    public Subscription subscription(String tenant, List<ViewKey> dashboards, List<String> datasets, Subscription previous) {
        return subscription(tenant, dashboards, datasets, previous.rows(), previous);
    }

    /** A subscription replacing {@code previous}, seeing the rows {@code rows} lets through. */
    public Subscription subscription(String tenant, List<ViewKey> dashboards, List<String> datasets, RowScope rows, Subscription previous) {
        java.util.Set<String> fresh = new java.util.HashSet<>();
        Subscription probe = new Subscription(this, tenant, dashboards, datasets, rows, java.util.Set.of());
        fresh.addAll(probe.topics());
        fresh.removeAll(previous.topics());
        return new Subscription(this, tenant, dashboards, datasets, rows, fresh);
    }

    private volatile java.time.Duration aheadWait = Subscription.AHEAD_WAIT;

    /**
     * Sets how long an opening waits for this node to reach a resume position it has not reached
     * yet (a client coming from a node further along); the default is 5 s. Returns this.
     */
    public Streams aheadWait(java.time.Duration wait) {
        this.aheadWait = wait;
        return this;
    }

    java.time.Duration aheadWait() {
        return aheadWait;
    }

    /** Events a session may have queued before it is resynchronized. The default is 1024. */
    public int queue() {
        return queue;
    }

    /** Ends {@code session} when its credential expires at {@code expiresAt} (epoch ms; {@link Long#MAX_VALUE}: never). */
    public void expireAt(Session session, long expiresAt) {
        if (expiresAt == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(0, expiresAt - clock.millis());
        timers.schedule(session::expire, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Publishes {@code sample.get()} as a {@code type} event on the {@link dev.switchboard.hub.TopicKind#EPHEMERAL}
     * topic {@code topic} every {@code every} (sampled on a timer thread, never on the feed's owner):
     * subscribers receive the samples from when they join, nothing is stored. A failing sample is
     * logged and the next one is tried.
     */
    public void broadcastEvery(String topic, String type, java.util.function.Supplier<?> sample, java.time.Duration every) {
        timers.scheduleAtFixedRate(() -> {
            try {
                hub.broadcast(topic, type, sample.get());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Streams.class).warn("sampling {} failed: {}", topic, e.toString());
            }
        }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Backfills from the change log served since start. */
    public long backfills() {
        return backfills.get();
    }

    /** Backfills refused by the budget since start (those clients got a reset instead). */
    public long backfillsRefused() {
        return budget.refused();
    }

    /** How many sessions overflowed their queue and were resynchronized since start. */
    public long overflows() {
        return Session.overflows();
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timers.shutdownNow();
        budget.close();
    }
}
