package dev.switchboard.change;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one {@link ChangeSource} on its own thread and hands each batch, in order, to every
 * listener while holding the dispatch lock. Anything that must see "state plus everything after
 * it" without a gap (a new subscriber reading a snapshot and registering for what follows) does so
 * inside {@link #exclusive}, where no batch can slip in between.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    /** Changes handed over per batch at most. */
    static final int BATCH = 512;

    /** Receives ordered batches; called on the feed thread with the dispatch lock held. */
    public interface Listener {
        void onChanges(List<Change> batch);
    }

    private final ChangeSource source;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Thread thread;
    private volatile Position position;
    private volatile boolean running = true;
    /** The error of the last read when it failed; empty after a read that worked. */
    private volatile String failure = "";

    /** A feed that dispatches the changes after {@code start}. */
    public ChangeFeed(ChangeSource source, Position start) {
        this.source = source;
        this.position = start;
        this.thread = Thread.ofPlatform().name("change-feed").daemon().unstarted(this::run);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    /** The position of the last change dispatched (or the start position). */
    public Position position() {
        return position;
    }

    /**
     * The changes of {@code tenant} in ({@code after}, {@code upto}] from the source's history,
     * read on the caller's thread without disturbing the feed. Pass an {@code upto} at or below
     * {@link #position()} to see only what was already dispatched.
     *
     * @throws IllegalArgumentException when the source no longer reaches back to {@code after}, or
     *     holds more than {@code max} such changes
     */
    public List<Change> history(Position after, Position upto, String tenant, int max) {
        return source.history(after, upto, tenant, max);
    }

    /**
     * Why dashboards and streams may be behind right now: the feed's own read failing, or the
     * source's {@link ChangeSource#problem}. Empty when changes flow as they should.
     */
    public Optional<String> problem() {
        String f = failure;
        return f.isEmpty() ? source.problem() : Optional.of("reading the change log fails (retrying): " + f);
    }

    /** Runs {@code work} while no batch is being dispatched. */
    public <T> T exclusive(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the feed has dispatched {@code target}; false on timeout. */
    public boolean awaitPosition(Position target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (position.sameEpoch(target) && position.compareTo(target) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                advanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 100;
        while (running) {
            try {
                List<Change> batch = source.read(position, BATCH);
                failure = "";
                if (batch.isEmpty()) {
                    source.awaitSignal(250);
                    continue;
                }
                dispatch(batch);
                backoff = 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failure = String.valueOf(e.getMessage());
                LOG.warn("reading changes after {} failed, retrying in {} ms: {}", position, backoff, e.getMessage());
                try {
                    Thread.sleep(backoff); // backoff while the database is unreachable
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    private void dispatch(List<Change> batch) {
        lock.lock();
        try {
            for (Listener l : listeners) {
                try {
                    l.onChanges(batch);
                } catch (RuntimeException e) {
                    LOG.error("listener {} failed on changes up to {}", l, batch.get(batch.size() - 1).position(), e);
                }
            }
            position = batch.get(batch.size() - 1).position();
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
