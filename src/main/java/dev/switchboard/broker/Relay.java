package dev.switchboard.broker;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A capture node's publisher: one thread that, while this node holds the capture lease, reads
 * the database's change source and publishes each change to the stream in commit order, and
 * otherwise stands by.
 *
 * <p>Exactly once into the stream, across restarts and takeovers: on becoming active (and after
 * any failure) it reads the stream's newest message and continues strictly after its position,
 * so it needs its own change source to reach back that far (a standby holds its capture window
 * from the stream's newest position on for that reason: {@link #acknowledged}). Each message
 * carries its position as the JetStream message id (a change published twice within two
 * minutes is dropped by the stream) and expects the previous one as the stream's last message id
 * (the first after a sync expects the stream's last sequence): a former active node that still
 * publishes for a moment is refused unless its message is the very one expected, and a message
 * that was lost makes every later one fail, so the relay re-reads the stream and resends from
 * what it really holds. Publishes are pipelined (up to {@value #MAX_IN_FLIGHT} unacknowledged).
 */
public final class Relay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    /** Changes read from the source per round. */
    static final int BATCH = 512;
    /** Publishes awaiting JetStream's acknowledgement at most. */
    static final int MAX_IN_FLIGHT = 2048;
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    /** How often the active node confirms it still holds the lease. */
    static final Duration LEASE_CHECK = Duration.ofSeconds(1);
    /** How often a standby tries the lease and reads how far the stream has come. */
    static final Duration STANDBY_POLL = Duration.ofMillis(500);

    private final Broker broker;
    private final ChangeSource source;
    private final BooleanSupplier lease;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong takeovers = new AtomicLong();
    private volatile boolean leading;
    private volatile Position acknowledged;
    private volatile String problem = "";
    // the relay thread's own
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private boolean synced;
    private Position sent;
    private long expectSeq;
    private String expectId;
    private long leaseCheckedAt;

    private record InFlight(Position position, CompletableFuture<PublishAck> ack) {}

    Relay(Broker broker, ChangeSource source, BooleanSupplier lease, Clock clock) {
        this.broker = broker;
        this.source = source;
        this.lease = lease;
        this.clock = clock;
        this.acknowledged = Position.start(source.epoch());
        this.thread = Thread.ofPlatform().name("sb-relay").daemon().unstarted(this::run);
    }

    /** Starts the relay thread. */
    public void start() {
        thread.start();
    }

    /** Whether this node is the active capture (holds the lease and publishes). */
    public boolean leading() {
        return leading;
    }

    /**
     * The newest position the stream is known to hold: acknowledged by JetStream while active,
     * read from the stream while standing by (the start of the epoch before the first read).
     * Capture keeps every change after it.
     */
    public Position acknowledged() {
        return acknowledged;
    }

    /** Changes this node published that the stream stored (not counting duplicates it dropped). */
    public long published() {
        return published.get();
    }

    /** Changes this node published that the stream already held and dropped as duplicates. */
    public long duplicates() {
        return duplicates.get();
    }

    /** How many times this node became the active capture. */
    public long takeovers() {
        return takeovers.get();
    }

    /** Why changes may not reach the stream right now; empty when all is well (a standby with nothing wrong is well). */
    public Optional<String> problem() {
        String p = problem;
        return p.isEmpty() ? broker.problem() : Optional.of(p);
    }

    private void run() {
        long backoff = 100;
        while (closing.getCount() > 0) {
            try {
                if (!leading) {
                    standBy();
                } else if (leaseDue() && !lease.getAsBoolean()) {
                    LOG.warn("capture lease lost: standing by");
                    abandon();
                    leading = false;
                } else {
                    if (!synced) {
                        sync();
                    }
                    if (!pump()) {
                        source.awaitSignal(50);
                    }
                    problem = "";
                    backoff = 100;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closing.getCount() == 0) {
                    return;
                }
                problem = "publishing changes to the JetStream stream " + broker.settings().stream() + " at " + broker.target()
                        + " fails (retrying): " + e.getMessage();
                LOG.warn("relay: {} (retrying in {} ms)", e.toString(), backoff);
                abandon();
                if (pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private boolean leaseDue() {
        long now = clock.millis();
        if (now - leaseCheckedAt < LEASE_CHECK.toMillis()) {
            return false;
        }
        leaseCheckedAt = now;
        return true;
    }

    /** Reads how far the stream has come (capture holds everything after it), then tries the lease. */
    private void standBy() throws Exception {
        try {
            observe();
            problem = "";
        } catch (java.io.IOException | JetStreamApiException | RuntimeException e) {
            problem = "standing by, but cannot read the JetStream stream " + broker.settings().stream() + " at " + broker.target()
                    + ": " + e.getMessage();
        }
        if (lease.getAsBoolean()) {
            leading = true;
            synced = false;
            leaseCheckedAt = clock.millis();
            takeovers.incrementAndGet();
            LOG.info("this node is now the active capture: publishing to JetStream stream {}", broker.settings().stream());
        } else {
            pause(STANDBY_POLL.toMillis());
        }
    }

    private void observe() throws java.io.IOException, JetStreamApiException {
        Optional<StreamInfo> info = broker.streamInfo();
        if (info.isEmpty() || info.get().getStreamState().getMsgCount() == 0) {
            return;
        }
        broker.positionAt(info.get().getStreamState().getLastSequence()).filter(p -> p.sameEpoch(acknowledged))
                .filter(p -> p.isAfter(acknowledged)).ifPresent(p -> acknowledged = p);
    }

    /** Continues after the stream's newest message, which must be within what this node's capture holds. */
    private void sync() throws java.io.IOException, JetStreamApiException {
        broker.ensureStream();
        StreamState state = broker.streamInfo().orElseThrow(() -> new IllegalStateException("the stream vanished")).getStreamState();
        Optional<Position> last = state.getMsgCount() == 0 ? Optional.empty() : broker.positionAt(state.getLastSequence());
        Position floor = source.floor();
        Position from;
        if (last.isPresent()) {
            if (!last.get().sameEpoch(floor)) {
                throw new IllegalStateException(broker.epochMismatch(last.get(), floor.epoch()));
            }
            if (last.get().compareTo(floor) < 0) {
                throw new IllegalStateException("the stream's newest change " + last.get() + " is older than what this node's capture "
                        + "still holds (from " + floor + "): the changes in between are not in the stream. Start the capture node "
                        + "that published " + last.get() + " (standbys must run while the active node does), or delete the stream "
                        + "and let edges resnapshot");
            }
            from = last.get();
        } else {
            // a new stream, or one whose messages all expired: everything capture holds that the stream may lack
            from = acknowledged.sameEpoch(floor) && acknowledged.isAfter(floor) ? acknowledged : floor;
        }
        sent = from;
        acknowledged = from;
        expectSeq = state.getLastSequence();
        expectId = null;
        synced = true;
        LOG.info("relay continues after {} (stream {} at sequence {})", from, broker.settings().stream(), expectSeq);
    }

    /** Publishes what the source has after the last change sent; false when there was nothing. */
    private boolean pump() throws Exception {
        settle(false);
        List<Change> batch = source.read(sent, BATCH);
        int n = batch.size();
        // the source hands out whole transactions unless the batch is full: then the last change
        // waits for the next round, which tells whether its transaction goes on
        int upto = n < BATCH ? n : n - 1;
        for (int i = 0; i < upto; i++) {
            Change c = batch.get(i);
            boolean lastOfTx = i + 1 == n || batch.get(i + 1).source().commitLsn() != c.source().commitLsn()
                    || !c.source().present();
            publish(c, lastOfTx);
        }
        return upto > 0;
    }

    private void publish(Change c, boolean lastOfTx) throws Exception {
        String id = c.position().toString();
        PublishOptions.Builder o = PublishOptions.builder().messageId(id).expectedStream(broker.settings().stream());
        if (expectId == null) {
            o.expectedLastSequence(expectSeq);
        } else {
            o.expectedLastMsgId(expectId);
        }
        CompletableFuture<PublishAck> ack = broker.jetStream().publishAsync(broker.settings().subject(), ChangeCodec.encode(c, lastOfTx), o.build());
        inFlight.add(new InFlight(c.position(), ack));
        expectId = id;
        sent = c.position();
        while (inFlight.size() >= MAX_IN_FLIGHT) {
            settle(true);
        }
    }

    /** Takes the acknowledgements that arrived, in order (waiting for the oldest if {@code wait}); a refusal throws. */
    private void settle(boolean wait) throws Exception {
        while (!inFlight.isEmpty()) {
            InFlight head = inFlight.peek();
            if (!wait && !head.ack().isDone()) {
                return;
            }
            PublishAck ack;
            try {
                ack = head.ack().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("JetStream did not acknowledge " + head.position() + " within " + ACK_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new IllegalStateException("JetStream did not take " + head.position() + ": " + cause.getMessage(), cause);
            }
            inFlight.poll();
            (ack.isDuplicate() ? duplicates : published).incrementAndGet();
            acknowledged = head.position();
            wait = false;
        }
    }

    /** After a failure or losing the lease: lets what is in flight land or fail, then re-reads the stream before publishing again. */
    private void abandon() {
        boolean intact = true;
        long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
        for (InFlight f : inFlight) {
            try {
                PublishAck ack = f.ack().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (intact) {
                    (ack.isDuplicate() ? duplicates : published).incrementAndGet();
                    acknowledged = f.position();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                intact = false;
            }
        }
        inFlight.clear();
        synced = false;
    }

    /** Sleeps up to {@code millis}; true when the relay is closing. */
    private boolean pause(long millis) {
        try {
            return closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Stops the thread (what is in flight still lands; the next active node continues after it). */
    @Override
    public void close() {
        closing.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
