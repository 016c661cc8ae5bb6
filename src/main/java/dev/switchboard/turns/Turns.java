package dev.switchboard.turns;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands {@code permits} turns at a resource to keys (tenants) so that one key queueing many turns
 * cannot starve another's single one: among the keys with a turn waiting, the one served least
 * recently goes next (a key with no earlier turn first); within a key, turns go in arrival order.
 * Bookkeeping exists only for keys holding or waiting for a turn, so memory is bounded by the
 * threads that wait. A turn must not be requested while holding another turn of the same
 * {@code Turns} (it could wait for itself). Thread-safe.
 */
public final class Turns {
    private final int permits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, ArrayDeque<Object>> waiting = new HashMap<>();
    private final Map<String, Integer> holding = new HashMap<>();
    private final Map<String, Long> servedAt = new HashMap<>();
    private int held;
    private long turns;

    /** Turns for {@code permits} holders at once (at least one). */
    public Turns(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("turns need at least one permit, not " + permits);
        }
        this.permits = permits;
    }

    /** Waits as long as it takes for a turn of {@code key}; the caller must {@link #release} it. */
    public void acquire(String key) throws InterruptedException {
        if (!acquire(key, null)) {
            throw new IllegalStateException("an unbounded wait ended without a turn");
        }
    }

    /**
     * Waits up to {@code wait} for a turn of {@code key}: true when it came (the caller must
     * {@link #release} it), false when the wait ran out (nothing to release).
     */
    public boolean acquire(String key, Duration wait) throws InterruptedException {
        // a null key would wait forever: next() never picks it
        Objects.requireNonNull(key, "a turn needs its key");
        long deadline = wait == null ? 0 : System.nanoTime() + wait.toNanos();
        Object ticket = new Object();
        lock.lock();
        try {
            waiting.computeIfAbsent(key, t -> new ArrayDeque<>()).add(ticket);
            try {
                while (held >= permits || next() != ticket) {
                    if (wait == null) {
                        changed.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            give(key, ticket);
                            return false;
                        }
                        changed.awaitNanos(left);
                    }
                }
            } catch (InterruptedException e) {
                give(key, ticket);
                throw e;
            }
            leave(key, ticket);
            held++;
            holding.merge(key, 1, Integer::sum);
            servedAt.put(key, ++turns);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a turn of {@code key}. */
    public void release(String key) {
        lock.lock();
        try {
            Integer n = holding.get(key);
            if (n == null) {
                throw new IllegalStateException("no turn of '" + key + "' is held");
            }
            if (n == 1) {
                holding.remove(key);
            } else {
                holding.put(key, n - 1);
            }
            held--;
            forgetIfIdle(key);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in a turn of {@code key}, waiting as long as it takes. */
    public <T> T in(String key, java.util.function.Supplier<T> work) {
        try {
            acquire(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a turn", e);
        }
        try {
            return work.get();
        } finally {
            release(key);
        }
    }

    /** Turns waiting now. */
    public int waiting() {
        lock.lock();
        try {
            return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Turns held now. */
    public int held() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** The most turns held at once. */
    public int permits() {
        return permits;
    }

    /** Keys with bookkeeping (waiting, holding or remembered as served); for tests. */
    int keys() {
        lock.lock();
        try {
            return servedAt.size();
        } finally {
            lock.unlock();
        }
    }

    private Object next() {
        String best = null;
        long bestAt = Long.MAX_VALUE;
        for (String k : waiting.keySet()) {
            long at = servedAt.getOrDefault(k, -1L);
            if (at < bestAt) {
                best = k;
                bestAt = at;
            }
        }
        return best == null ? null : waiting.get(best).peekFirst();
    }

    /** A waiter gives up: it leaves the queue, and whoever is now first may take a free turn. */
    private void give(String key, Object ticket) {
        leave(key, ticket);
        forgetIfIdle(key);
        changed.signalAll();
    }

    private void leave(String key, Object ticket) {
        ArrayDeque<Object> q = waiting.get(key);
        q.remove(ticket);
        if (q.isEmpty()) {
            waiting.remove(key);
        }
    }

    private void forgetIfIdle(String key) {
        if (!waiting.containsKey(key) && !holding.containsKey(key)) {
            servedAt.remove(key);
        }
    }
}
