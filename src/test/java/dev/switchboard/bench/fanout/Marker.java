package dev.switchboard.bench.fanout;

import java.nio.charset.StandardCharsets;

/**
 * The writer's stamp inside each published row: the row id {@code sbq-<seq>-<nanoTime>}. The
 * generator finds it in an event's bytes without parsing JSON. One instance per thread: {@link #find}
 * leaves the parsed values in {@link #seq()} and {@link #sentNanos()}.
 */
final class Marker {
    static final String PREFIX = "sbq-";
    private static final byte[] TAG = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private long seq;
    private long sentNanos;

    /** The row id for writer sequence number {@code seq} sent at {@code nanoTime}. */
    static String id(long seq, long nanoTime) {
        return PREFIX + seq + "-" + nanoTime;
    }

    /** Parses the first stamp in {@code b[off, off+len)}; false when there is none. */
    boolean find(byte[] b, int off, int len) {
        int end = off + len;
        outer:
        for (int i = off; i <= end - TAG.length; i++) {
            for (int k = 0; k < TAG.length; k++) {
                if (b[i + k] != TAG[k]) {
                    continue outer;
                }
            }
            int p = i + TAG.length;
            long s = 0;
            int digits = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                s = s * 10 + (b[p++] - '0');
                digits++;
            }
            if (digits == 0 || p >= end || b[p++] != '-') {
                continue;
            }
            boolean negative = p < end && b[p] == '-';
            if (negative) {
                p++;
            }
            long t = 0;
            digits = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                t = t * 10 + (b[p++] - '0');
                digits++;
            }
            if (digits == 0) {
                continue;
            }
            seq = s;
            sentNanos = negative ? -t : t;
            return true;
        }
        return false;
    }

    long seq() {
        return seq;
    }

    long sentNanos() {
        return sentNanos;
    }
}
