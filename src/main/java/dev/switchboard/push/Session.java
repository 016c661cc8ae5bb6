package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import dev.switchboard.hub.Subscriber;
import dev.switchboard.live.LiveEngine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream, whatever carries it: an {@link Outbox} filled by the hub's fan-out thread,
 * drained by one writer that writes everything queued in one go (one outstanding write, as Jetty
 * requires), encoded once per codec. A transport supplies the codec and the write; overflow,
 * resynchronization and the opening are the same for every transport.
 *
 * <p>Each registration with the hub is a fresh {@link Link}: after an overflow the old link is
 * dead, so events still in flight to it cannot be mixed into the replay of the new one.
 */
public abstract class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    static final AtomicLong OVERFLOWS = new AtomicLong();
    static final AtomicLong RESYNCS = new AtomicLong();
    /** Most items written in one go. */
    static final int WRITE_BATCH = 256;
    /**
     * A write the client has not taken for this long ends the session: a client that stopped
     * reading holds at most its bounded queue and one write for this long. The default is 30 s.
     */
    public static final java.time.Duration STALL = java.time.Duration.ofSeconds(30);
    static final AtomicLong STALLED = new AtomicLong();

    private volatile Subscription subscription;
    private final Outbox outbox;
    private final Codec codec;
    /** Commit-to-push latency of this session's transport. */
    private final Streams.Latency latency;
    private final java.util.function.Consumer<Event> delivered = this::delivered;
    private final Pump pump = new Pump();
    private volatile Link link;
    private volatile boolean closed;
    /** Set when the session is to end once what is queued is written (its token expired, or the node is shutting down). */
    private volatile boolean ending;
    /** Set when the node is shutting down and the client was told to reconnect elsewhere. */
    private volatile boolean restarting;
    private volatile Duration retry = Duration.ZERO;
    private final CompletableFuture<Void> whenClosed = new CompletableFuture<>();

    protected Session(Subscription subscription, Outbox outbox, Codec codec) {
        this.subscription = subscription;
        this.outbox = outbox;
        this.codec = codec;
        this.latency = subscription.streams().latency(transport());
    }

    /** The transport's name, the {@code transport} tag of its metrics: sse, websocket, socketio, poll. */
    protected String transport() {
        return "other";
    }

    /** A live event was handed to the writer: its commit-to-push latency is recorded. */
    private void delivered(Event e) {
        latency.record(e.committedMicros());
    }

    private final AtomicLong overflowsHere = new AtomicLong();
    private final AtomicLong resyncsHere = new AtomicLong();

    /** How many times this session's queue overflowed (and was dropped); {@link #resynchronizations} of it follow. */
    public long overflowCount() {
        return overflowsHere.get();
    }

    /** How many times this session was resynchronized. */
    public long resynchronizations() {
        return resyncsHere.get();
    }

    /** How many times a session's queue overflowed (and was dropped) since start. */
    public static long overflows() {
        return OVERFLOWS.get();
    }

    /**
     * How many times a session was resynchronized since start (after an overflow, once its client
     * takes data again; or when live events overflowed while an opening was built).
     */
    public static long resyncs() {
        return RESYNCS.get();
    }

    /** Writes {@code bytes}; calls {@code done} when the transport can take more. One call at a time. */
    protected abstract void write(ByteBuffer bytes, Callback done);

    /**
     * Writes what was queued: {@link Event}s and transport bytes, in order; calls {@code done}
     * when the transport can take more. By default all of it in one write of the frames joined;
     * message-framed transports override this.
     */
    protected void writeAll(List<Object> items, Callback done) {
        write(join(items), done);
    }

    /** The codec of this session's transport. */
    protected final Codec codec() {
        return codec;
    }

    /** Queues transport bytes (a pong, an error notice) behind what is queued. */
    protected void control(ByteBuffer bytes) {
        if (!closed && outbox.control(bytes)) {
            pump.iterate();
        }
    }

    /**
     * Watches {@code next} instead of the current subscription, continuing after the last event
     * written: topics in {@code fresh} (new to this client) start with a snapshot, the others
     * continue without a gap or a repeat. The old subscription's views are released. When
     * {@code next} is refused because a limit on live views is reached
     * ({@link LiveEngine.TooManyViews}), the session watches {@code fallback} instead (what it
     * watched before, continuing after the last event written) and the future completes with the
     * refusal; otherwise it completes empty once the opening is queued.
     */
    protected CompletableFuture<Optional<Throwable>> switchTo(Subscription next, Optional<Position> resume, Subscription fallback) {
        Subscription old = subscription;
        Link l = link;
        subscription = next;
        link = null; // as in resync: the old link's events in flight are dropped, the new opening covers them
        if (l != null) {
            old.close(l);
        }
        long gen = outbox.hold();
        if (resume.isPresent()) {
            outbox.resumeFrom(resume);
        }
        return start(gen, outbox.lastWritten(), List.of(), Optional.of(fallback));
    }

    /** What this session watches now. */
    public Subscription subscription() {
        return subscription;
    }

    /** Ends the transport: normally when {@code cause} is empty. */
    protected abstract void end(Optional<Throwable> cause);

    /** Bytes written before the opening events of the first opening (e.g. SSE's {@code retry:}). */
    protected List<ByteBuffer> preamble() {
        return List.of();
    }

    /** What the transport writes to keep an idle connection alive. */
    protected abstract ByteBuffer heartbeatBytes();

    /**
     * Subscribes and queues the opening events, resuming after {@code resume} when given. The
     * future completes when the opening is queued, exceptionally when it could not be built (the
     * session is then closed with that cause).
     */
    public CompletableFuture<Void> open(Optional<Position> resume) {
        outbox.resumeFrom(resume);
        return start(outbox.generation(), resume, preamble(), Optional.empty()).thenApply(refused -> null);
    }

    /**
     * Registers a new link for registration {@code gen} of the outbox and queues its opening; a
     * page of a backfill is queued alone and the next opening starts once it is written. A
     * refusal for too many views falls back to {@code fallback} when given (see {@link #switchTo}).
     */
    private CompletableFuture<Optional<Throwable>> start(long gen, Optional<Position> resume, List<ByteBuffer> first,
                                                         Optional<Subscription> fallback) {
        Link l = new Link(gen);
        link = l;
        Subscription subscription = this.subscription;
        return subscription.open(resume, l).handle((opening, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : error;
                if (fallback.isPresent() && cause instanceof LiveEngine.TooManyViews && !closed && link == l) {
                    this.subscription = fallback.get();
                    link = null;
                    start(outbox.hold(), outbox.lastWritten(), List.of(), Optional.empty());
                    return Optional.of(cause);
                }
                close(Optional.of(cause));
                return Optional.of(cause);
            }
            if (closed) {
                subscription.close(l); // the client left while the opening was built
                return Optional.empty();
            }
            if (link != l) {
                subscription.leave(l);
                return Optional.empty();
            }
            List<Object> items = new ArrayList<>(first);
            items.addAll(opening.events());
            if (!opening.complete()) {
                nextFrom = opening.next().orElseThrow();
                nextPage = gen; // before the writer can see the page drained
            }
            switch (outbox.open(gen, items)) {
                case OPENED -> pump.iterate();
                case OVERFLOWED -> resync(l); // live events overflowed while the opening was built
                case STALE -> subscription.leave(l); // a newer registration began meanwhile
            }
            return Optional.empty();
        });
    }

    /**
     * The registration whose backfill page is being written, after which the next opening starts
     * (from the last event of the page); -1 when none.
     */
    private volatile long nextPage = -1;
    /** Where the opening after the page being written starts: the page's last change (a slice may have been sent less). */
    private volatile Position nextFrom;

    /** Whether the next page of a backfill follows as soon as one is written (long-polls answer with one page). */
    protected boolean continuesPages() {
        return true;
    }

    /** The page of registration {@code gen} was written: open again after it, unless something newer began. */
    private void continueAfterPage(long gen) {
        if (closed || outbox.generation() != gen) {
            return;
        }
        outbox.resumeFrom(Optional.of(nextFrom)); // the page is written: everything up to its end was sent
        start(outbox.hold(), outbox.lastWritten(), List.of(), Optional.empty());
    }


    /**
     * Starts over from the last event written, as a reconnecting client would: the old link
     * leaves its topics, a new one registers and replays (from the rings, the change log, or a
     * snapshot) what came after.
     */
    private void resync(Link old) {
        if (closed) {
            return;
        }
        RESYNCS.incrementAndGet();
        resyncsHere.incrementAndGet();
        link = null;
        subscription.leave(old);
        // a new generation: events still in flight to the old link are ignored by the outbox
        // itself (checking the link before offering is not atomic with the offer)
        long gen = outbox.hold();
        Optional<Position> from = outbox.lastWritten();
        start(gen, Optional.of(from.orElse(new Position("overflow", 0))), List.of(), Optional.empty());
    }

    /**
     * The client's credential expired: it is told so (an {@code expired} notice, after what is
     * already queued) and the stream ends. The client reconnects with a new token and resumes from
     * the last position it applied, losing nothing.
     */
    public void expire() {
        if (closed) {
            return;
        }
        ending = true;
        control(expiredNotice());
        pump.iterate();
    }

    /**
     * The node is shutting down: what is queued is written, then the transport's
     * {@code reconnect} notice carrying the position of the last event written (the client
     * reconnects, to any node, and resumes from it, missing and repeating nothing), and the
     * stream ends. Live events from now on are not written: the client gets them where it
     * resumes. {@code retry} is how long the client is asked to wait before reconnecting.
     */
    public void reconnectElsewhere(Duration retry) {
        if (closed) {
            return;
        }
        this.retry = retry;
        restarting = true;
        ending = true;
        if (outbox.farewell()) {
            pump.iterate();
        }
    }

    /** Whether the client was told to reconnect elsewhere because the node is shutting down. */
    protected final boolean restarting() {
        return restarting;
    }

    /** How long the client was asked to wait before reconnecting ({@link #reconnectElsewhere}). */
    protected final Duration retry() {
        return retry;
    }

    /** What the {@code reconnect} notice says (JSON), for {@code position} (the last event written; empty: none yet). */
    protected final String reconnectBody(Optional<Position> position) {
        return "{\"reason\":\"this server is shutting down; reconnect (to any node) and resume from position\",\"position\":"
                + position.map(p -> "\"" + p + "\"").orElse("null") + ",\"retry_ms\":" + retry.toMillis() + "}";
    }

    /**
     * The transport's {@code reconnect} notice as bytes (the last item a session writes when its
     * node shuts down); message-framed transports that override {@link #writeAll} handle
     * {@link Outbox.Farewell} items there instead. By default nothing: the stream just ends.
     */
    protected ByteBuffer reconnectNotice(Optional<Position> position) {
        return ByteBuffer.allocate(0);
    }

    /** The transport's {@code expired} notice. */
    protected abstract ByteBuffer expiredNotice();

    /** What the {@code expired} notice says. */
    protected static final String EXPIRED = "{\"error\":\"the token expired; reconnect with a new token and resume from the last id you applied\",\"status\":401}";

    /** Writes a heartbeat if the connection is idle; keeps proxies and idle timeouts away. */
    public void heartbeat() {
        if (!closed && outbox.idle(heartbeatBytes())) {
            pump.iterate();
        }
    }

    public boolean closed() {
        return closed;
    }

    /**
     * Whether the transport is done with the client: by default once closed; a transport whose end
     * is itself written (a WebSocket close frame) is done once that is written. A graceful stop
     * waits for this before it stops the server, which would otherwise end the connection its own way.
     */
    public boolean ended() {
        return closed;
    }

    /** Ends the session: leaves its topics, releases its views and ends the transport. */
    public void close(Optional<Throwable> cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        outbox.close();
        Link l = link;
        if (l != null) {
            subscription.close(l);
        }
        try {
            end(cause);
        } finally {
            whenClosed.complete(null);
        }
    }

    /** Completes when the session is closed (for any reason). */
    public CompletableFuture<Void> whenClosed() {
        return whenClosed;
    }

    /** One registration of this session with the hub. */
    final class Link implements Subscriber {
        /** The outbox registration this link fills. */
        private final long gen;

        Link(long gen) {
            this.gen = gen;
        }

        /** Set once this registration overflowed: the next one replays what it missed, so it takes nothing more. */
        private volatile boolean finished;

        @Override
        public void offer(Event e) {
            if (link != this || finished) {
                return;
            }
            if (outbox.offer(gen, e) == Outbox.Offer.OVERFLOWED) {
                finished = true;
                OVERFLOWS.incrementAndGet();
                overflowsHere.incrementAndGet();
                // resynchronized once the transport can take more: a client that stopped reading
                // costs no replays (the outbox ignores offers meanwhile) until the stall ends it
                overflowed = this;
                pump.iterate();
            }
        }

        @Override
        public boolean done() {
            return finished || closed || link != this;
        }

        @Override
        public void flush() {
            if (link == this) {
                pump.iterate();
            }
        }

        @Override
        public int queued() {
            return outbox.size();
        }

        @Override
        public String toString() {
            return "link of " + Session.this;
        }
    }

    /** The link whose queue overflowed, to be resynchronized when no write is pending; null when none. */
    private volatile Link overflowed;

    /** Ends the session when its current write has waited longer than {@code stall} (checked with the heartbeats). */
    public boolean closeIfStalled(long nowNanos, java.time.Duration stall) {
        long since = pump.writingSince;
        if (since == 0 || closed || nowNanos - since < stall.toNanos()) {
            return false;
        }
        STALLED.incrementAndGet();
        close(Optional.of(new java.util.concurrent.TimeoutException("the client took no data for " + stall.toSeconds() + " s")));
        return true;
    }

    /** How many sessions were ended because their client stopped reading. */
    public static long stalled() {
        return STALLED.get();
    }

    private final class Pump extends IteratingCallback {
        volatile long writingSince;

        @Override
        protected Action process() {
            writingSince = 0;
            if (closed) {
                return Action.SUCCEEDED;
            }
            Link o = overflowed;
            if (o != null) {
                overflowed = null;
                if (link == o) {
                    Thread.ofVirtual().start(() -> resync(o));
                }
                return Action.IDLE;
            }
            List<Object> items = outbox.drain(WRITE_BATCH, delivered);
            if (items.isEmpty()) {
                // a notice still waiting behind an opening being built (holding) is written first
                if (ending && outbox.size() == 0) {
                    Session.this.close(Optional.empty());
                    return Action.SUCCEEDED;
                }
                long page = nextPage;
                if (page >= 0 && page == outbox.generation() && continuesPages()) {
                    nextPage = -1;
                    Thread.ofVirtual().start(() -> continueAfterPage(page));
                }
                return Action.IDLE;
            }
            writingSince = System.nanoTime();
            writeAll(items, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            Session.this.close(Optional.of(cause));
        }
    }

    /** The bytes of {@code items} in one buffer: each event's frame encoded once for the codec, copied. */
    protected final ByteBuffer join(List<Object> items) {
        if (items.size() == 1) {
            return bytes(items.get(0));
        }
        List<ByteBuffer> parts = new ArrayList<>(items.size());
        int size = 0;
        for (Object o : items) {
            ByteBuffer b = bytes(o);
            parts.add(b);
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        parts.forEach(out::put);
        return out.flip();
    }

    private ByteBuffer bytes(Object item) {
        if (item instanceof Event e) {
            return e.frame(codec);
        }
        if (item instanceof ByteBuffer b) {
            return b.duplicate();
        }
        if (item instanceof Outbox.Farewell f) {
            return reconnectNotice(f.position());
        }
        LOG.error("unexpected item in an outbox: {}", item);
        return ByteBuffer.allocate(0);
    }
}
