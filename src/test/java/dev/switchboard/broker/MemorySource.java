package dev.switchboard.broker;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A change log in memory for relay and stream tests: transactions of a few changes each, positions
 * numbered like PostgreSQL's ({@code commit << 20 | index}), appended by the test, with a floor the
 * test can raise (what a capture window that evicted would report).
 */
final class MemorySource implements ChangeSource {
    static final String EPOCH = "mem1";
    private final List<Change> changes = new ArrayList<>();
    private long floor;
    private long commit;

    /** Appends a transaction of {@code n} changes, alternating tenants t1 and t2; returns them. */
    synchronized List<Change> commit(int n) {
        commit++;
        List<Change> tx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "k" + commit + "-" + i;
            String tenant = (commit + i) % 2 == 0 ? "t1" : "t2";
            tx.add(new Change(new Position(EPOCH, commit << 20 | i), tenant, "call_logs", Op.CREATE, key, Row.NONE,
                    Row.of(Map.of("id", key, "n", commit)), Instant.ofEpochSecond(1_800_000_000L + commit),
                    new Change.Source(1000 + commit, 0x1000 + commit)));
        }
        changes.addAll(tx);
        notifyAll();
        return tx;
    }

    synchronized List<Change> all() {
        return List.copyOf(changes);
    }

    synchronized void raiseFloor(long seq) {
        floor = seq;
    }

    @Override
    public String epoch() {
        return EPOCH;
    }

    @Override
    public synchronized Position head() {
        return changes.isEmpty() ? new Position(EPOCH, floor) : changes.getLast().position();
    }

    @Override
    public synchronized Position floor() {
        return new Position(EPOCH, floor);
    }

    @Override
    public synchronized List<Change> read(Position after, int max) {
        requireReachable(after);
        List<Change> out = new ArrayList<>();
        for (Change c : changes) {
            if (c.position().isAfter(after) && out.size() < max) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public synchronized void awaitSignal(long millis) throws InterruptedException {
        wait(millis);
    }

    @Override
    public synchronized void signal() {
        notifyAll();
    }

    @Override
    public void close() {}
}
