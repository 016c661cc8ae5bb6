package dev.switchboard.pg;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An SSE subscriber that behaves like a browser's EventSource: it remembers the id of the last
 * event it received and sends it as {@code Last-Event-ID} when it reconnects, to the same node or
 * another. It records every {@code change} event it gets, across connections, and every sign of
 * a lost change stream (a {@code reset} event for the dataset, a non-200 response) as a problem;
 * dashboard snapshots flagged as resets are recorded apart ({@link #dashboardResets}).
 */
public final class ResumingSubscriber implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One change event as received, with the connection (1, 2, ...) it came on. */
    public record Received(String id, long seq, String op, String key, String tenant, long arrivedNanos, int connection) {
        public String opKey() {
            return op + ":" + key;
        }
    }

    private final String path;
    private final List<Received> changes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Sse.Event> snapshots = new ArrayList<>();
    private final List<String> dashboardResets = new ArrayList<>();
    private final List<Reconnect> reconnects = new ArrayList<>();
    private String lastId;
    private String resumedFrom;
    private Sse sse;
    private int connections;

    /** {@code path} such as {@code /api/events/t1?datasets=call_logs&dashboards=calls}. */
    public ResumingSubscriber(String path) {
        this(path, null);
    }

    /** A subscriber whose first connection already resumes from {@code lastEventId}. */
    public ResumingSubscriber(String path, String lastEventId) {
        this.path = path;
        this.lastId = lastEventId;
    }

    /**
     * A {@code reconnect} notice (the node is shutting down): its id and retry, and the id of the
     * event received just before it on that connection.
     */
    public record Reconnect(String id, String retry, String previousId, int connection) {}

    private synchronized void onEvent(Sse.Event e, int connection) {
        if ("reconnect".equals(e.type())) {
            reconnects.add(new Reconnect(e.id(), e.retry(), lastId, connection));
        }
        if (e.id() != null) {
            lastId = e.id();
        }
        switch (e.type()) {
            case "change" -> {
                JsonNode d = JSON.readTree(e.data());
                changes.add(new Received(e.id(), e.seq(), d.path("op").asString(), d.path("key").asString(),
                        d.path("tenant").asString(), e.arrivedNanos(), connection));
            }
            case "snapshot" -> {
                snapshots.add(e);
                if (JSON.readTree(e.data()).path("reset").asBoolean()) {
                    dashboardResets.add("connection " + connection + ": dashboard snapshot flagged reset at " + e.id());
                }
            }
            case "reconnect" -> {
                // recorded above
            }
            case "reset" -> problems.add("connection " + connection + " (resuming from " + resumedFrom + "): reset event " + e.data());
            default -> {
                // delta: only its id matters, for resuming
            }
        }
    }

    /** Opens a new connection to {@code port}, resuming from the last event received if any. */
    public void connect(int port) throws IOException {
        disconnect();
        synchronized (this) {
            int n = ++connections;
            resumedFrom = lastId;
            sse = new Sse(port, path, lastId, e -> onEvent(e, n));
        }
    }

    /** Drops the connection (as a network loss would); events after the last complete one are lost to it. */
    public void disconnect() throws IOException {
        Sse s;
        synchronized (this) {
            s = sse;
            sse = null;
        }
        if (s != null) {
            s.close();
            if (!s.status().isEmpty() && !s.status().contains(" 200")) {
                synchronized (this) {
                    problems.add("response " + s.status());
                }
            }
        }
    }

    /** True when the current connection's stream was ended by the server (or there is none). */
    public synchronized boolean streamEnded() {
        return sse == null || !sse.open();
    }

    public synchronized String lastId() {
        return lastId;
    }

    public synchronized int connections() {
        return connections;
    }

    public synchronized List<Received> changes() {
        return List.copyOf(changes);
    }

    public synchronized int changeCount() {
        return changes.size();
    }

    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Resumes where a dashboard came back as a full snapshot flagged {@code reset} because the
     * node's dashboard ring could not replay its deltas (e.g. the view was not open on the node
     * the client moved to). The dashboard state is whole again; changes are unaffected.
     */
    public synchronized List<String> dashboardResets() {
        return List.copyOf(dashboardResets);
    }

    /** The {@code reconnect} notices received, in order. */
    public synchronized List<Reconnect> reconnects() {
        return List.copyOf(reconnects);
    }

    public synchronized int snapshotCount() {
        return snapshots.size();
    }

    /** Waits until at least {@code n} changes arrived; returns how many did. */
    public int awaitChanges(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (changeCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return changeCount();
    }

    /** Waits until the first snapshot (the stream is registered). */
    public void awaitSnapshot(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (snapshotCount() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no snapshot within " + timeout + "; problems " + problems());
            }
            Thread.sleep(10);
        }
    }

    /**
     * Until {@code stop}, drops and resumes the connection at random moments (seeded): connected
     * for 20-400 ms, then away for 0-150 ms. The port may change between connections. Returns the thread.
     */
    public Thread churn(long seed, IntSupplier port, AtomicBoolean stop) {
        SplittableRandom random = new SplittableRandom(seed);
        return Thread.ofPlatform().name("sse-churn").start(() -> {
            try {
                while (!stop.get()) {
                    Thread.sleep(20 + random.nextInt(380));
                    disconnect();
                    Thread.sleep(random.nextInt(150));
                    connect(port.getAsInt());
                }
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public void close() throws IOException {
        disconnect();
    }
}
