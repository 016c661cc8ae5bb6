package dev.switchboard.bench.fanout;

import org.HdrHistogram.Histogram;

/**
 * One selector thread's counters: latency (microseconds, writer's call to receipt) of every first
 * copy of a stamped event, events without a stamp, other events, bytes, and the last receipt.
 * Per-connection sequence accounting is the connection's {@link Tally}. Not thread-safe.
 */
final class Accounting {
    static final long MAX_MICROS = 120_000_000L;

    final Histogram latency = new Histogram(MAX_MICROS, 3);
    private final Marker marker = new Marker();
    long changes;
    long unstamped;
    long other;
    long bytes;
    long lastReceipt;

    /** Accounts one change event received at {@code now} (nanoTime) on the connection whose tally is {@code t}. */
    void change(Tally t, byte[] b, int off, int len, long now) {
        changes++;
        lastReceipt = now;
        if (!marker.find(b, off, len)) {
            unstamped++;
            return;
        }
        if (t.record(marker.seq())) {
            long us = (now - marker.sentNanos()) / 1000;
            latency.recordValue(Math.max(0, Math.min(us, MAX_MICROS)));
        }
    }

    void other() {
        other++;
    }

    void reset() {
        latency.reset();
        changes = 0;
        unstamped = 0;
        other = 0;
        bytes = 0;
    }
}
