package dev.switchboard.change;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single owner of live state. One thread, the <em>owner</em>, takes work from one mailbox in
 * order: batches of changes read from the {@link ChangeSource} (handed to every {@link Listener})
 * and commands submitted with {@link #execute} or {@link #call}. Because every mutation of engine
 * and hub state runs on the owner, a command sees the state and the feed's {@link #position()}
 * together, and nothing can slip in between the steps of one command: that is how a new
 * subscriber reads a snapshot and registers for what follows without a gap. No lock is shared
 * with other packages; commands must be short and must never block (no SQL, no socket writes,
 * no waiting): slow work runs elsewhere and hands its result back as another command.
 *
 * <p>A second thread, the <em>reader</em>, reads the source ahead of the owner (at most
 * {@link #READ_AHEAD} batches) so that a slow read never delays commands.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    /** Changes handed over per batch at most. */
    static final int BATCH = 512;
    /** Batches read but not yet dispatched at most. */
    static final int READ_AHEAD = 4;
    /** How long a listener's failure is reported by {@link #problem} after it happened. */
    static final Duration FAILURE_SHOWN = Duration.ofMinutes(1);

    /** Receives ordered batches on the owner thread. */
    public interface Listener {
        /**
         * Called with each batch, in order. A listener owns its failures: it must not let one
         * change's trouble skip the batch for the state it keeps (catch, resynchronize, report).
         */
        void onChanges(List<Change> batch);

        /** Called on the owner thread after each batch and each command: a moment to hand work on. */
        default void afterWork() {}
    }

    private final ChangeSource source;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Runnable> mailbox = new LinkedBlockingQueue<>();
    private final Semaphore readAhead = new Semaphore(READ_AHEAD);
    private final Thread owner;
    private final Thread reader;
    private final Object progress = new Object();
    private final List<Reach> reaches = new ArrayList<>();
    private final AtomicLong listenerFailures = new AtomicLong();
    private volatile Position position;
    /** Where the reader continues; only the reader touches it after start. */
    private Position readFrom;
    private volatile boolean running = true;
    /** The error of the last read when it failed; empty after a read that worked. */
    private volatile String failure = "";
    private volatile String listenerFailure = "";
    private volatile long listenerFailedAt;
    private volatile long lagNanos;

    /** A feed that dispatches the changes after {@code start}. Commands run at once; changes after {@link #start}. */
    public ChangeFeed(ChangeSource source, Position start) {
        this.source = source;
        this.position = start;
        this.readFrom = start;
        this.owner = Thread.ofPlatform().name("change-feed").daemon().unstarted(this::own);
        this.reader = Thread.ofPlatform().name("change-reader").daemon().unstarted(this::read);
        owner.start();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Starts reading the source. */
    public void start() {
        reader.start();
    }

    /** The position of the last change dispatched (or the start position). */
    public Position position() {
        return position;
    }

    /** Whether the calling thread is the owner. */
    public boolean onOwner() {
        return Thread.currentThread() == owner;
    }

    /** Runs {@code command} on the owner thread, after the work already queued. */
    public void execute(Runnable command) {
        if (!running) {
            throw new IllegalStateException("the change feed is closed");
        }
        mailbox.add(() -> {
            try {
                command.run();
            } catch (RuntimeException e) {
                LOG.error("command failed on the change feed", e);
            }
        });
    }

    /**
     * Runs {@code work} on the owner thread and completes the future with its result there.
     * Continue with an {@code ...Async} stage when the continuation does anything slow.
     */
    public <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("the change feed is closed"));
            return f;
        }
        mailbox.add(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** {@link #call} from a thread that may wait: the result, or an error after {@code timeout}. */
    public <T> T await(Supplier<T> work, Duration timeout) {
        if (onOwner()) {
            return work.get();
        }
        try {
            return call(work).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the change feed", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the change feed did not answer within " + timeout.toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Completes with true once the feed has dispatched {@code target} (at once when it has, or
     * when {@code target} is of another epoch), false after {@code timeout}. Parks no thread.
     */
    public CompletableFuture<Boolean> reached(Position target, Duration timeout) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        if (passed(target)) {
            f.complete(true);
            return f;
        }
        execute(() -> {
            if (passed(target)) {
                f.complete(true);
            } else {
                reaches.add(new Reach(target, f));
            }
        });
        return f.completeOnTimeout(false, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private record Reach(Position target, CompletableFuture<Boolean> done) {}

    /**
     * Whether {@code target} lies beyond every committed change ({@link ChangeSource#ceiling}), so
     * that no node can have handed it out: waiting for it would be pointless. Reads the source on
     * the calling thread when {@code target} is ahead of this feed; false when the source cannot tell.
     */
    public boolean beyondCeiling(Position target) {
        if (passed(target)) {
            return false;
        }
        try {
            return source.ceiling().filter(c -> c.sameEpoch(target) && target.compareTo(c) > 0).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean passed(Position target) {
        Position p = position;
        return !p.sameEpoch(target) || p.compareTo(target) >= 0;
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

    /** One page of {@code tenant}'s history in {@code datasets}: see {@link ChangeSource#historyPage}. */
    public List<Change> historyPage(Position after, Position upto, String tenant, java.util.Set<String> datasets, int limit) {
        return source.historyPage(after, upto, tenant, datasets, limit);
    }

    /**
     * Why dashboards and streams may be behind right now: the feed's own read failing, a
     * listener failing recently, or the source's {@link ChangeSource#problem}. Empty when changes
     * flow as they should.
     */
    public Optional<String> problem() {
        String f = failure;
        if (!f.isEmpty()) {
            return Optional.of("reading the change log fails (retrying): " + f);
        }
        if (!listenerFailure.isEmpty() && System.currentTimeMillis() - listenerFailedAt < FAILURE_SHOWN.toMillis()) {
            return Optional.of(listenerFailure);
        }
        return source.problem();
    }

    /** How many times a listener threw since start (each is also logged and shown by {@link #problem}). */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /**
     * How long the last batch waited between being read and being dispatched, in milliseconds:
     * the owner's lag (0 when the feed is idle and the owner keeps up).
     */
    public long lagMillis() {
        return mailbox.isEmpty() && readAhead.availablePermits() == READ_AHEAD ? 0 : lagNanos / 1_000_000;
    }

    /** Waits until the feed has dispatched {@code target}; false on timeout. Not on the owner thread. */
    public boolean awaitPosition(Position target, Duration timeout) throws InterruptedException {
        if (onOwner()) {
            throw new IllegalStateException("the owner thread cannot wait for itself");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!passed(target)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void own() {
        while (running) {
            Runnable work;
            try {
                work = mailbox.take();
            } catch (InterruptedException e) {
                return;
            }
            work.run();
            for (Listener l : listeners) {
                try {
                    l.afterWork();
                } catch (RuntimeException e) {
                    failed(l, e);
                }
            }
        }
    }

    private void read() {
        long backoff = 100;
        while (running) {
            try {
                readAhead.acquire();
                List<Change> batch;
                try {
                    batch = source.read(readFrom, BATCH);
                } catch (RuntimeException e) {
                    readAhead.release();
                    throw e;
                }
                failure = "";
                if (batch.isEmpty()) {
                    readAhead.release();
                    source.awaitSignal(250);
                    continue;
                }
                readFrom = batch.get(batch.size() - 1).position();
                long readAt = System.nanoTime();
                mailbox.add(() -> {
                    lagNanos = System.nanoTime() - readAt;
                    dispatch(batch);
                });
                backoff = 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failure = String.valueOf(e.getMessage());
                LOG.warn("reading changes after {} failed, retrying in {} ms: {}", readFrom, backoff, e.getMessage());
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
        readAhead.release();
        for (Listener l : listeners) {
            try {
                l.onChanges(batch);
            } catch (RuntimeException e) {
                // Listeners catch their own failures and resynchronize what they keep; reaching
                // here is a bug in one, and it must be loud.
                failed(l, e);
            }
        }
        position = batch.get(batch.size() - 1).position();
        for (Iterator<Reach> it = reaches.iterator(); it.hasNext(); ) {
            Reach r = it.next();
            if (passed(r.target) || r.done.isDone()) {
                r.done.complete(true);
                it.remove();
            }
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void failed(Listener l, RuntimeException e) {
        listenerFailures.incrementAndGet();
        listenerFailedAt = System.currentTimeMillis();
        listenerFailure = "a change listener failed at " + position + ": " + e;
        LOG.error("listener {} failed at {}", l, position, e);
    }

    @Override
    public void close() {
        running = false;
        reader.interrupt();
        owner.interrupt();
        try {
            reader.join(2000);
            owner.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
