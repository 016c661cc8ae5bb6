package dev.switchboard.store.sqlite;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands SQLite's single writer to tenants in turn, so that one tenant queueing many large
 * batches cannot starve another tenant's single row: among the tenants with writes waiting, the
 * one served least recently goes next (a tenant with no earlier turn first); within a tenant,
 * writes go in arrival order. Bookkeeping exists only for tenants holding or waiting for a turn.
 */
final class TenantTurns {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, ArrayDeque<Object>> waiting = new HashMap<>();
    private final Map<String, Long> servedAt = new HashMap<>();
    private Optional<String> holder = Optional.empty();
    private long turns;

    /** Waits for {@code tenant}'s turn; the caller must {@link #release} it. */
    void acquire(String tenant) throws InterruptedException {
        // a null tenant would wait forever: next() never picks it
        java.util.Objects.requireNonNull(tenant, "a write needs its tenant");
        Object ticket = new Object();
        lock.lock();
        try {
            waiting.computeIfAbsent(tenant, t -> new ArrayDeque<>()).add(ticket);
            try {
                while (holder.isPresent() || next() != ticket) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                leave(tenant, ticket);
                if (!waiting.containsKey(tenant) && !holder.equals(Optional.of(tenant))) {
                    servedAt.remove(tenant);
                }
                changed.signalAll();
                throw e;
            }
            leave(tenant, ticket);
            holder = Optional.of(tenant);
            servedAt.put(tenant, ++turns);
        } finally {
            lock.unlock();
        }
    }

    /** Ends the current turn. */
    void release() {
        lock.lock();
        try {
            String tenant = holder.orElseThrow(() -> new IllegalStateException("no turn is held"));
            holder = Optional.empty();
            if (!waiting.containsKey(tenant)) {
                servedAt.remove(tenant);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes waiting for a turn (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
        } finally {
            lock.unlock();
        }
    }

    private Object next() {
        String best = null;
        long bestAt = Long.MAX_VALUE;
        for (String t : waiting.keySet()) {
            long at = servedAt.getOrDefault(t, -1L);
            if (at < bestAt) {
                best = t;
                bestAt = at;
            }
        }
        return best == null ? null : waiting.get(best).peekFirst();
    }

    private void leave(String tenant, Object ticket) {
        ArrayDeque<Object> q = waiting.get(tenant);
        q.remove(ticket);
        if (q.isEmpty()) {
            waiting.remove(tenant);
        }
    }
}
