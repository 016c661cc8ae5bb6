package dev.switchboard.store.postgres;

import dev.switchboard.change.Change;
import java.time.Instant;
import java.util.List;

/**
 * One committed transaction as decoded: its commit LSN, the LSN just past its commit record
 * (what the slot is confirmed up to once it is no longer needed), its 32-bit xid (for snapshot
 * visibility) and its changes to known datasets, possibly none.
 */
record Txn(long commitLsn, long endLsn, int xid, List<Change> changes) {

    /** The commit time, or null for a transaction without dataset changes. */
    Instant commitTime() {
        return changes.isEmpty() ? null : changes.getFirst().commitTime();
    }

    long firstSeq() {
        return changes.getFirst().position().seq();
    }

    long lastSeq() {
        return changes.getLast().position().seq();
    }

}
