package dev.switchboard.bench.fanout;

import java.util.BitSet;

/**
 * Which writer sequence numbers one connection received during one step, and how often. A step
 * covers the writer's numbers {@code [from, to)}; numbers below {@code from} are late arrivals of
 * an earlier step and counted apart. Not thread-safe: owned by the connection's selector thread.
 */
final class Tally {
    private long from;
    private BitSet seen = new BitSet();
    private long distinct;
    private long duplicates;
    private long late;

    /** Starts a step whose first sequence number is {@code from}. */
    void begin(long from) {
        this.from = from;
        this.seen = new BitSet();
        this.distinct = 0;
        this.duplicates = 0;
        this.late = 0;
    }

    /** Records one received event; true when it is the first copy of {@code seq} in this step. */
    boolean record(long seq) {
        if (seq < from) {
            late++;
            return false;
        }
        long i = seq - from;
        if (i > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("sequence " + seq + " is too far past the step's start " + from);
        }
        if (seen.get((int) i)) {
            duplicates++;
            return false;
        }
        seen.set((int) i);
        distinct++;
        return true;
    }

    /** Numbers in {@code [from, to)} this connection has not received. */
    long missing(long to) {
        int n = (int) Math.max(0, to - from);
        return n - seen.get(0, n).cardinality();
    }

    long distinct() {
        return distinct;
    }

    long duplicates() {
        return duplicates;
    }

    long late() {
        return late;
    }
}
