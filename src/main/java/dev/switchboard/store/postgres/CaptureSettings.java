package dev.switchboard.store.postgres;

import java.time.Duration;

/**
 * How capture retains and cleans up; fixed once the store is open.
 *
 * @param retention how long decoded changes stay resumable; the default is 10 minutes. The slot
 *     holds WAL for about this long, and a restarted node replays this much.
 * @param maxChanges most changes held in memory; older ones are dropped first. The default is 50,000
 *     (by estimate, a change of a 13-column table with both images takes 1-2 KB of heap).
 * @param staleAfter how long another node's slot may go without a heartbeat before this node drops
 *     it; the default is 6 hours. {@code max_slot_wal_keep_size} bounds the WAL it pins meanwhile.
 * @param heartbeat how often this node records that it is alive and persists its floor; the default is 10 seconds.
 * @param requireWalKeepLimit refuse to start when {@code max_slot_wal_keep_size} is unlimited; the default is true.
 */
record CaptureSettings(Duration retention, long maxChanges, Duration staleAfter, Duration heartbeat,
                       boolean requireWalKeepLimit) {

    static CaptureSettings defaults() {
        return new CaptureSettings(Duration.ofMinutes(10), 50_000, Duration.ofHours(6), Duration.ofSeconds(10), true);
    }

    CaptureSettings {
        if (retention.isNegative() || maxChanges < 1 || staleAfter.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("capture settings out of range: retention " + retention + ", maxChanges "
                    + maxChanges + ", staleAfter " + staleAfter + " (must be at least 3 heartbeats of " + heartbeat + ")");
        }
    }
}
