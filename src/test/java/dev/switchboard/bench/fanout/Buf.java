package dev.switchboard.bench.fanout;

import java.util.Arrays;

/** A growable byte array with a read mark; the carry-over of a decoder between reads. */
final class Buf {
    byte[] a = new byte[0];
    int start;
    int end;

    void append(byte[] b, int off, int len) {
        if (end + len > a.length) {
            int live = end - start;
            if (start > 0 && live + len <= a.length) {
                System.arraycopy(a, start, a, 0, live);
            } else {
                a = Arrays.copyOfRange(a, start, start + Math.max(live + len, Math.max(256, a.length * 2)));
            }
            start = 0;
            end = live;
        }
        System.arraycopy(b, off, a, end, len);
        end += len;
    }

    int size() {
        return end - start;
    }

    /** Forgets everything; drops a large array so idle connections stay small. */
    void clear() {
        start = 0;
        end = 0;
        if (a.length > 64 * 1024) {
            a = new byte[0];
        }
    }

    /** Index of {@code pattern} in {@code [from, end)}, or -1. */
    int indexOf(byte[] pattern, int from) {
        outer:
        for (int i = Math.max(from, start); i <= end - pattern.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (a[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean contains(byte[] b, int off, int len, byte[] pattern) {
        outer:
        for (int i = off; i <= off + len - pattern.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (b[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
