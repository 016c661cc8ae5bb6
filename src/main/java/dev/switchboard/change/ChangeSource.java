package dev.switchboard.change;

import java.util.List;
import java.util.Optional;

/**
 * Port: the durable, ordered change log of one database, read from a position onwards.
 *
 * <p>Implementations deliver every committed change exactly once, in commit order, by calling
 * the sink from a single thread. {@link #poll} never blocks for long; the feed calls it in a loop
 * and waits on {@link #awaitSignal} between polls.
 */
public interface ChangeSource extends AutoCloseable {

    /** The epoch of the log as it is now; a position of another epoch cannot be resumed. */
    String epoch();

    /** The position of the newest committed change (or the epoch's start when the log is empty). */
    Position head();

    /**
     * The newest position any committed change has right now, when the source can tell cheaply
     * (SQLite: its head); a position beyond it was never handed out and cannot be waited for.
     * Empty when unknown (PostgreSQL: another node may be ahead of this one's capture).
     */
    default Optional<Position> ceiling() {
        return Optional.empty();
    }

    /** The oldest position from which {@link #read} can still return every later change. */
    Position floor();

    /**
     * Where a feed starting now should begin so that the hub's resume rings hold about the last
     * {@code changes} changes (clients can then resume across a restart). The default is the floor.
     */
    default Position warmStart(long changes) {
        return floor();
    }

    /**
     * Up to {@code max} changes strictly after {@code after}, in commit order. Returns an empty
     * list when there is nothing newer yet.
     */
    List<Change> read(Position after, int max);

    /**
     * The changes of {@code tenant} strictly after {@code after} and up to {@code upto}, in commit
     * order: what a client missed, for a reader other than the feed (a client catching up on
     * history its resume ring no longer holds). Read on the caller's thread without disturbing the
     * feed; never returns a list with a hole.
     *
     * @throws IllegalArgumentException when {@code after} is of another epoch or below the floor,
     *     or when more than {@code max} such changes exist (the caller resets instead)
     */
    default List<Change> history(Position after, Position upto, String tenant, int max) {
        requireReachable(after);
        List<Change> out = History.collect(this::read, after, upto, tenant, max);
        requireReachable(after); // pruning only removes the oldest: still reachable means nothing was missed
        return out;
    }

    /**
     * One page of what a client missed: up to {@code limit} changes of {@code tenant} in
     * {@code datasets}, strictly after {@code after} and up to {@code upto}, in commit order. A
     * page shorter than {@code limit} ends the history up to {@code upto}; a full one continues
     * after its last change. Read on the caller's thread without disturbing the feed.
     *
     * @throws IllegalArgumentException when {@code after} is of another epoch or below the floor
     */
    default List<Change> historyPage(Position after, Position upto, String tenant, java.util.Set<String> datasets, int limit) {
        requireReachable(after);
        List<Change> out = History.page(this::read, after, upto, tenant, datasets, limit);
        requireReachable(after);
        return out;
    }

    /** Throws unless {@link #read} can still return every change after {@code after}. */
    default void requireReachable(Position after) {
        Position floor = floor();
        if (!after.sameEpoch(floor) || after.compareTo(floor) < 0) {
            throw new IllegalArgumentException("position " + after + " is older than the change log's floor " + floor);
        }
    }

    /**
     * The position of the last change of the transaction whose source xid is {@code xid} (see
     * {@link Change.Source}) and that committed after {@code after}, once this source has all of
     * it; empty when it has not within {@code timeout}, or when the source does not track
     * transactions (the default). A writer learns where its commit stands in the stream this way.
     */
    default Optional<Position> awaitTransaction(long xid, Position after, java.time.Duration timeout) {
        return Optional.empty();
    }

    /**
     * Why changes may be late right now (capture disconnected from the database, still starting),
     * in words an operator can act on; empty when the log is being read as it should.
     */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /**
     * Waits up to {@code millis} for a hint that new changes may be committed (a local write,
     * a database notification, or simply the timeout for external writers).
     */
    void awaitSignal(long millis) throws InterruptedException;

    /** Wakes up {@link #awaitSignal} because this process just committed a change. */
    void signal();

    @Override
    void close();
}
