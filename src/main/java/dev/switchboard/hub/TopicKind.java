package dev.switchboard.hub;

/**
 * What a topic carries, which decides how it can be resumed. Kinds are types, not name
 * prefixes: an ephemeral topic's events carry no position a client could resume from.
 */
public enum TopicKind {
    /** Row changes of one tenant's dataset; resumable from the ring and, beyond it, the change log. */
    DATASET,
    /**
     * Row changes of one tenant's dataset as a scoped viewer sees them (its {@link RowScope}): a
     * row entering the slice is created, one leaving it deleted (with its old image only), others
     * never sent. Created on first subscription; resumable from the ring and, beyond it, the
     * change log read through the same filter.
     */
    SLICE,
    /** Deltas of one view; resumable from the ring, otherwise a fresh snapshot. */
    DASHBOARD,
    /** Broadcasts with no history (system notices, presence): never replayed, never written with an id. */
    EPHEMERAL;

    /** Whether events of this kind have positions a client may resume from. */
    public boolean resumable() {
        return this != EPHEMERAL;
    }
}
