package dev.switchboard.push;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A node's budget of change-log reads for clients resuming from far back: a few threads, a
 * bounded number of reads waiting for them, and a bound on the wait. A read beyond the budget is
 * refused at once (its client gets a reset and reloads) rather than queued without end, so a
 * crowd of resuming clients costs the node a fixed number of database connections and a bounded
 * backlog, and capture and bootstraps keep theirs.
 */
final class BackfillBudget implements AutoCloseable {
    private final ThreadPoolExecutor threads;
    private final Duration maxWait;
    private final LongSupplier nanoTime;
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param threads reads running at once
     * @param waiting reads that may wait for a thread
     * @param maxWait longest a read may wait before it is refused
     * @param nanoTime the time in nanoseconds ({@code System::nanoTime})
     */
    BackfillBudget(int threads, int waiting, Duration maxWait, LongSupplier nanoTime) {
        this.maxWait = maxWait;
        this.nanoTime = nanoTime;
        this.threads = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(waiting),
                Thread.ofPlatform().daemon().name("sb-backfill-", 0).factory());
    }

    /**
     * Runs {@code read} on a backfill thread; completes with its result, empty when the budget
     * refused it (too many reads waiting, or this one waited longer than the limit), or
     * exceptionally with what it threw.
     */
    <T> CompletableFuture<Optional<T>> run(Supplier<T> read) {
        CompletableFuture<Optional<T>> done = new CompletableFuture<>();
        long queued = nanoTime.getAsLong();
        try {
            threads.execute(() -> {
                if (nanoTime.getAsLong() - queued > maxWait.toNanos()) {
                    refused.incrementAndGet();
                    done.complete(Optional.empty());
                    return;
                }
                try {
                    done.complete(Optional.of(read.get()));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            refused.incrementAndGet();
            done.complete(Optional.empty());
        }
        return done;
    }

    /** Reads refused since start. */
    long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
