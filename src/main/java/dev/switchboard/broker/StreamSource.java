package dev.switchboard.broker;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.History;
import dev.switchboard.change.Position;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge node's change source: the JetStream stream read with an ordered consumer (ephemeral,
 * flow-controlled, recreated by the client after a reconnect or a gap, so it delivers each
 * message once and in order) by a reader thread into a bounded queue, which {@link #read} drains.
 * The reader starts where the first read asks, found by a binary search over the stream, and
 * starts over wherever a later read asks for another position.
 *
 * <p>{@link #history} reads older changes with a consumer of its own: beyond an edge's rings,
 * clients resume from the stream, as far back as its retention keeps. {@link #awaitTransaction}
 * answers writes made through this edge with the position of their commit.
 */
final class StreamSource implements ChangeSource {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSource.class);
    /** Changes read ahead of the feed at most. */
    static final int QUEUE = 8192;
    static final int PULL_BATCH = 512;
    /** Ended transactions remembered for {@link #awaitTransaction}. */
    static final int TRANSACTIONS_KEPT = 65_536;
    /** How long a history read waits for the next message before it gives up. */
    static final Duration HISTORY_WAIT = Duration.ofSeconds(5);

    private final Broker broker;
    private final String epoch;
    private final Thread reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition space = lock.newCondition();
    private final ArrayDeque<Change> queue = new ArrayDeque<>();
    private final Map<Long, Position> transactions = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Position> eldest) {
            return size() > TRANSACTIONS_KEPT;
        }
    };
    // under the lock
    private long generation;
    private long nextSeq = 1;
    private Position delivered;
    private long wakeups;
    private volatile Position head;
    private volatile String problem = "";
    private volatile boolean running = true;

    StreamSource(Broker broker, String epoch) {
        this.broker = broker;
        this.epoch = epoch;
        this.head = Position.start(epoch);
        this.reader = Thread.ofPlatform().name("sb-stream-reader").daemon().unstarted(this::readLoop);
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /** The newest change received from the stream (or where reading began). */
    @Override
    public Position head() {
        return head;
    }

    /**
     * The position of the change just before the oldest message the stream holds (retention drops
     * messages oldest first), as that message recorded it; one less than the oldest message's
     * position when it did not (then conservative by one change); this edge's head while the
     * stream is empty or not there yet.
     */
    @Override
    public Position floor() {
        try {
            Optional<StreamInfo> info = broker.streamInfo();
            if (info.isEmpty() || info.get().getStreamState().getMsgCount() == 0) {
                return head;
            }
            long firstSeq = info.get().getStreamState().getFirstSequence();
            Position first = broker.positionAt(firstSeq).orElse(head);
            requireEpoch(first);
            Optional<Position> previous = broker.previousPositionAt(firstSeq).filter(p -> p.sameEpoch(first) && first.isAfter(p));
            return previous.orElse(new Position(epoch, Math.max(0, first.seq() - 1)));
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    /** The position before the newest {@code changes} messages of the stream (its floor when it holds fewer). */
    @Override
    public Position warmStart(long changes) {
        try {
            Optional<StreamInfo> info = broker.streamInfo();
            if (info.isEmpty() || info.get().getStreamState().getMsgCount() == 0) {
                return head;
            }
            StreamState s = info.get().getStreamState();
            long before = s.getLastSequence() - changes;
            if (before < s.getFirstSequence()) {
                return floor();
            }
            Position p = broker.positionAt(before).orElseGet(this::floor);
            requireEpoch(p);
            return p;
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    @Override
    public List<Change> read(Position after, int max) {
        if (!after.epoch().equals(epoch)) {
            throw new IllegalArgumentException("position " + after + " belongs to another change log than " + epoch);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        lock.lock();
        boolean continues = after.equals(delivered);
        lock.unlock();
        if (!continues) {
            reposition(after);
        }
        lock.lock();
        try {
            List<Change> out = new ArrayList<>(Math.min(max, queue.size()));
            while (out.size() < max && !queue.isEmpty()) {
                Change c = queue.poll();
                if (c.position().isAfter(after)) {
                    out.add(c);
                }
            }
            if (!out.isEmpty()) {
                delivered = out.getLast().position();
                space.signalAll();
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Points the reader at the first message after {@code after}; starts it on the first call. */
    private void reposition(Position after) {
        long seq;
        try {
            seq = broker.firstSeqAfter(after);
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
        lock.lock();
        try {
            generation++;
            queue.clear();
            nextSeq = seq;
            delivered = after;
            head = after;
            space.signalAll();
        } finally {
            lock.unlock();
        }
        if (reader.getState() == Thread.State.NEW) {
            reader.start();
        }
        LOG.info("reading JetStream stream {} from sequence {} (after {})", broker.settings().stream(), seq, after);
    }

    private void readLoop() {
        long backoff = 100;
        while (running) {
            long gen;
            long from;
            lock.lock();
            try {
                gen = generation;
                from = nextSeq;
            } finally {
                lock.unlock();
            }
            try (IterableConsumer it = broker.orderedFrom(from, PULL_BATCH)) {
                while (running && current(gen)) {
                    Message m = it.nextMessage(Duration.ofMillis(250));
                    if (m == null) {
                        continue;
                    }
                    ChangeCodec.Decoded d = ChangeCodec.decode(m.getData());
                    requireEpoch(d.change().position());
                    if (!offer(gen, m.metaData().streamSequence(), d)) {
                        break;
                    }
                    problem = "";
                    backoff = 100;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                problem = e instanceof JetStreamApiException api && api.getApiErrorCode() == Broker.NO_STREAM
                        ? "the JetStream stream " + broker.settings().stream() + " does not exist at " + broker.target()
                                + " yet: start a capture node on this database (serve --role capture --broker-stream "
                                + broker.settings().stream() + "); this edge receives no changes until it publishes"
                        : "cannot read the JetStream stream " + broker.settings().stream() + " at " + broker.target()
                                + " (retrying): " + e.getMessage();
                LOG.warn("stream reader: {} (retrying in {} ms)", e.toString(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private boolean current(long gen) {
        lock.lock();
        try {
            return gen == generation;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a change read at stream sequence {@code seq}; false when the reader was repositioned meanwhile. */
    private boolean offer(long gen, long seq, ChangeCodec.Decoded d) throws InterruptedException {
        lock.lock();
        try {
            while (queue.size() >= QUEUE && gen == generation && running) {
                space.await(100, TimeUnit.MILLISECONDS);
            }
            if (gen != generation || !running) {
                return false;
            }
            nextSeq = seq + 1;
            Change c = d.change();
            if (!c.position().isAfter(head)) {
                return true; // already had it
            }
            queue.add(c);
            head = c.position();
            if (d.lastOfTransaction()) {
                transactions.put(c.source().xid(), c.position());
            }
            arrived.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Change> history(Position after, Position upto, String tenant, int max) {
        requireReachable(after);
        List<Change> out = new ArrayList<>();
        if (!upto.isAfter(after)) {
            return out;
        }
        try {
            long seq = broker.firstSeqAfter(after);
            try (IterableConsumer it = broker.orderedFrom(seq, PULL_BATCH)) {
                boolean first = true;
                while (true) {
                    Message m = it.nextMessage(HISTORY_WAIT);
                    if (m == null) {
                        throw new IllegalStateException("the JetStream stream " + broker.settings().stream()
                                + " delivered nothing for " + HISTORY_WAIT.toSeconds() + " s before reaching " + upto);
                    }
                    if (first && m.metaData().streamSequence() != seq) {
                        throw new IllegalArgumentException("position " + after + " fell below the stream's floor while reading");
                    }
                    first = false;
                    Change c = ChangeCodec.decode(m.getData()).change();
                    if (c.position().isAfter(upto)) {
                        return out;
                    }
                    if (c.concerns(tenant)) {
                        out.add(c);
                        if (out.size() > max) {
                            throw History.tooMany(max, tenant, after);
                        }
                    }
                    if (c.position().equals(upto)) {
                        return out;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the stream", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw unreachable(e);
        }
    }

    /** One page of a tenant's history, read from the stream with a consumer of its own (the feed's is not moved). */
    @Override
    public List<Change> historyPage(Position after, Position upto, String tenant, java.util.Set<String> datasets, int limit) {
        requireReachable(after);
        List<Change> out = new ArrayList<>();
        if (!upto.isAfter(after) || limit <= 0) {
            return out;
        }
        try {
            long seq = broker.firstSeqAfter(after);
            try (IterableConsumer it = broker.orderedFrom(seq, PULL_BATCH)) {
                boolean first = true;
                while (true) {
                    Message m = it.nextMessage(HISTORY_WAIT);
                    if (m == null) {
                        throw new IllegalStateException("the JetStream stream " + broker.settings().stream()
                                + " delivered nothing for " + HISTORY_WAIT.toSeconds() + " s before reaching " + upto);
                    }
                    if (first && m.metaData().streamSequence() != seq) {
                        throw new IllegalArgumentException("position " + after + " fell below the stream's floor while reading");
                    }
                    first = false;
                    Change c = ChangeCodec.decode(m.getData()).change();
                    if (c.position().isAfter(upto)) {
                        return out;
                    }
                    if (c.concerns(tenant) && datasets.contains(c.dataset())) {
                        out.add(c);
                        if (out.size() == limit) {
                            return out;
                        }
                    }
                    if (c.position().equals(upto)) {
                        return out;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the stream", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw unreachable(e);
        }
    }

    @Override
    public Optional<Position> awaitTransaction(long xid, Position after, Duration timeout) {
        long key = xid & 0xFFFF_FFFFL;
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Position p = transactions.get(key);
                if (p != null && p.sameEpoch(after) && p.isAfter(after)) {
                    return Optional.of(p);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> problem() {
        String p = problem;
        return p.isEmpty() ? broker.problem().map(b -> b + ": this edge receives no changes meanwhile") : Optional.of(p);
    }

    @Override
    public void awaitSignal(long millis) throws InterruptedException {
        lock.lock();
        try {
            long seen = wakeups;
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (queue.isEmpty() && wakeups == seen && left > 0) {
                left = arrived.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void signal() {
        lock.lock();
        try {
            wakeups++;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void requireEpoch(Position p) {
        if (!p.epoch().equals(epoch)) {
            throw new IllegalStateException(broker.epochMismatch(p, epoch));
        }
    }

    private IllegalStateException unreachable(Exception e) {
        return new IllegalStateException("cannot read the JetStream stream " + broker.settings().stream() + " at " + broker.target()
                + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            generation++;
            space.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
