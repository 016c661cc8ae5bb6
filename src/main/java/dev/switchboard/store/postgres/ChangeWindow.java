package dev.switchboard.store.postgres;

import dev.switchboard.change.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The decoded changes this node still holds, in commit order, from just after {@link #floor()}
 * to {@link #head()}: what {@code read} serves and what ingest looks its commits up in.
 *
 * <p>One writer (the capture thread) appends and evicts; any thread reads. The window is also the
 * replay unit after a restart: the slot is confirmed only up to the end of the newest evicted
 * transaction, so a restarted node decodes the retained transactions again and rebuilds the same
 * window with the same positions.
 */
final class ChangeWindow {
    /** Transactions keyed by the sequence of their last change. */
    private final ConcurrentSkipListMap<Long, Txn> txns = new ConcurrentSkipListMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private volatile long floor;
    private volatile long head;
    private volatile long lastServedHead;
    /** The end LSN of the newest appended transaction, where a new stream resumes; 0 when none. */
    private volatile long resumeLsn;
    private long wakeups;
    private long size;
    /** The newest sequence a broker acknowledged: eviction keeps every change after it. Unheld: everything may go. */
    private volatile java.util.function.LongSupplier acknowledged = () -> Long.MAX_VALUE;
    /**
     * Whether this node's change feed reads the window: once it has, nothing it has not read yet is
     * evicted, so a feed that falls behind a burst is never left below the floor (where it could
     * only stop); capture pauses instead, and the slot keeps the WAL.
     */
    private volatile boolean feedReads;

    ChangeWindow(long floor) {
        this.floor = floor;
        this.head = floor;
        this.lastServedHead = floor;
    }

    long floor() {
        return floor;
    }

    long head() {
        return head;
    }

    long resumeLsn() {
        return resumeLsn;
    }

    /**
     * Appends a committed transaction with dataset changes. A transaction at or below the head was
     * already seen (a stream replays from the slot's confirmed point) and is ignored.
     */
    boolean append(Txn txn) {
        return append(txn, true);
    }

    /**
     * {@link #append(Txn)}, waking readers only when {@code signal} is true: the capture thread
     * appends a burst of transactions quietly and wakes readers once for all of them (one lock
     * and one hand-off to the feed per burst, not per transaction). A quiet append must be
     * followed by {@link #wake()} for readers that wait.
     */
    boolean append(Txn txn, boolean signal) {
        if (txn.changes().isEmpty() || txn.lastSeq() <= head) {
            return false;
        }
        txns.put(txn.lastSeq(), txn);
        size += txn.changes().size();
        resumeLsn = txn.endLsn();
        head = txn.lastSeq();
        if (signal) {
            wake();
        }
        return true;
    }

    /**
     * Drops transactions committed before {@code now - retention}, and the oldest ones while more
     * than {@code maxChanges} are held, but never one with a change after {@code keepAfter} (what
     * a broker has not yet acknowledged). Returns the newest transaction dropped, if any: the floor
     * now stands at its last change.
     */
    Txn evict(Instant now, Duration retention, long maxChanges, long keepAfter) {
        Instant horizon = now.minus(retention);
        Txn dropped = null;
        for (Map.Entry<Long, Txn> e = txns.firstEntry(); e != null; e = txns.firstEntry()) {
            Txn t = e.getValue();
            if (size <= maxChanges && !t.commitTime().isBefore(horizon) || t.lastSeq() > keepAfter) {
                break;
            }
            floor = t.lastSeq(); // raise the floor first: a concurrent read must never see a gap
            txns.remove(e.getKey());
            size -= t.changes().size();
            dropped = t;
        }
        return dropped;
    }

    /**
     * Starts over after the slot had to be recreated: the changes between the old head and
     * {@code newFloor} are gone, so nothing before it may be served (a read across the gap would
     * silently miss them). Readers at older positions get the below-floor error and resnapshot.
     */
    void restartAt(long newFloor) {
        floor = Math.max(newFloor, head);
        head = floor;
        txns.clear();
        size = 0;
        resumeLsn = 0;
        wake();
    }

    /**
     * From now on {@link #keepAfter} is what {@code acknowledged} returns: the changes after it
     * stay (and with them the slot's WAL) however old, until a broker has acknowledged them.
     */
    void holdUnacknowledged(java.util.function.LongSupplier acknowledged) {
        this.acknowledged = acknowledged;
    }

    /**
     * The sequence after which nothing may be evicted ({@link Long#MAX_VALUE} when nothing holds
     * the window): the older of what a broker acknowledged and what this node's feed has read.
     */
    long keepAfter() {
        long broker = acknowledged.getAsLong();
        return feedReads ? Math.min(broker, lastServedHead) : broker;
    }

    /** Whether a broker or this node's feed holds the window. */
    boolean held() {
        return keepAfter() != Long.MAX_VALUE;
    }

    /** How many changes are held. Capture thread only. */
    long size() {
        return size;
    }

    /** True when no transaction is held: nothing stops the slot from being confirmed to the stream's end. */
    boolean isEmpty() {
        return txns.isEmpty();
    }

    /**
     * Up to {@code max} changes strictly after {@code after}, in order. {@code feed} is true for
     * the feed's own reads, which {@link #await} measures new work against.
     *
     * @throws IllegalArgumentException when {@code after} is below the floor: those changes are gone
     */
    List<Change> read(long after, int max, boolean feed) {
        long floorNow = floor;
        if (after < floorNow) {
            throw new IllegalArgumentException("position sequence " + after + " is older than the floor " + floorNow
                    + "; the changes after it are no longer retained (resnapshot)");
        }
        List<Change> out = new ArrayList<>(Math.min(max, 256));
        scan:
        for (Txn t : txns.tailMap(after, false).values()) {
            for (Change c : t.changes()) {
                if (c.position().seq() > after) {
                    out.add(c);
                    if (out.size() == max) {
                        break scan; // a full batch is checked against the floor and counted as read like any other
                    }
                }
            }
        }
        if (floor > after) {
            // eviction overtook this read between the floor check and the scan: part may be missing
            throw new IllegalArgumentException("position sequence " + after + " fell below the floor while reading");
        }
        if (feed) {
            lastServedHead = out.isEmpty() ? Math.max(after, lastServedHead) : out.getLast().position().seq();
            feedReads = true;
        }
        return out;
    }

    /** The last sequence of the first held transaction after {@code after} with this xid; -1 if not decoded yet. */
    long lastSeqOfXid(int xid, long after) {
        for (Txn t : txns.tailMap(after, false).values()) {
            if (t.xid() == xid) {
                return t.lastSeq();
            }
        }
        return -1;
    }

    /**
     * Waits up to {@code millis} until the transaction with this xid, committed after the change
     * at {@code after}, is decoded; returns its last sequence, or -1 on timeout.
     */
    long awaitXid(int xid, long after, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            for (long seq = lastSeqOfXid(xid, after); ; seq = lastSeqOfXid(xid, after)) {
                long left = deadline - System.nanoTime();
                if (seq >= 0 || left <= 0) {
                    return seq;
                }
                appended.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a transaction is appended beyond what {@link #read} last returned, or the timeout. */
    void await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            long seen = wakeups;
            while (head <= lastServedHead && wakeups == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                appended.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters without a new transaction (a local commit that capture will deliver shortly). */
    void wake() {
        lock.lock();
        try {
            wakeups++;
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
