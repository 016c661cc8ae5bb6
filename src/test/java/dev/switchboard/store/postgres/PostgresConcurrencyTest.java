package dev.switchboard.store.postgres;

import static dev.switchboard.store.postgres.Fixtures.drain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.store.Snapshot;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class PostgresConcurrencyTest extends PgStoreTest {
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Override
    String prefix() {
        return "concurrency";
    }

    @Test
    void capture_sixteenConcurrentWriters_everyCommittedChangeOnceInCommitOrder() throws Exception {
        Position from = store.changes().head();
        ConcurrentWriters writers = new ConcurrentWriters(db, "cw");
        long started = System.nanoTime();

        writers.run(16, 300, 20, () -> { });
        int expected = writers.committed.stream().mapToInt(c -> c.ops().size()).sum();
        List<Change> changes = drain(store.changes(), from, expected, WAIT);
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(changes).hasSize(expected);
        assertThat(changes).extracting(c -> c.position().seq()).isSorted().doesNotHaveDuplicates();
        Map<String, ConcurrentWriters.Committed> byMarker = new HashMap<>();
        writers.committed.forEach(c -> byMarker.put(c.marker(), c));
        // group the stream into transactions by commit LSN; each must be exactly one committed transaction, in commit_no order
        Map<Long, List<Change>> txs = new LinkedHashMap<>();
        changes.forEach(c -> txs.computeIfAbsent(Positions.commitOf(c.position().seq()), k -> new ArrayList<>()).add(c));
        assertThat(txs).hasSize(writers.committed.size());
        long lastCommitNo = 0;
        for (List<Change> tx : txs.values()) {
            Change marker = tx.getLast();
            ConcurrentWriters.Committed expectedTx = byMarker.get(marker.key());
            assertThat(expectedTx).as("transaction ending with %s", marker.key()).isNotNull();
            assertThat(tx).extracting(c -> c.op().code() + ":" + c.key()).containsExactlyElementsOf(expectedTx.ops());
            assertThat(expectedTx.commitNo()).as("commit order").isGreaterThan(lastCommitNo);
            lastCommitNo = expectedTx.commitNo();
        }
        Set<String> keys = new HashSet<>();
        changes.forEach(c -> keys.add(c.key()));
        assertThat(writers.rolledBackKeys).isNotEmpty().noneMatch(keys::contains);
        System.out.printf("concurrent writers: %d changes in %d transactions (%d rolled back keys) captured in %.1f s, %.0f changes/s%n",
                expected, txs.size(), writers.rolledBackKeys.size(), seconds, expected / seconds);
    }

    @Test
    void snapshot_underConcurrentWriters_includesIsExact() throws Exception {
        Position from = store.changes().head();
        ConcurrentWriters writers = new ConcurrentWriters(db, "snap");
        List<Set<String>> snapshotKeys = new ArrayList<>();
        List<Snapshot> snapshots = new ArrayList<>();

        writers.run(8, 400, 8, () -> {
            for (int i = 0; i < 25; i++) {
                store.read(s -> {
                    Set<String> inSnapshot = new HashSet<>();
                    s.query("SELECT id FROM events WHERE tenant = ?", List.of("snap"), r -> inSnapshot.add((String) r.raw("id")));
                    snapshotKeys.add(inSnapshot);
                    snapshots.add(s);
                    return null;
                });
            }
        });
        db.exec("INSERT INTO events (id, tenant, at) VALUES ('snap-sentinel', 'snap', now())");
        List<Change> changes = drainUntil(from, "snap-sentinel");
        Set<String> finalKeys = sqlKeys();

        int notIncludedTotal = 0;
        for (int i = 0; i < snapshots.size(); i++) {
            Set<String> replayed = new HashSet<>(snapshotKeys.get(i));
            Snapshot snap = snapshots.get(i);
            for (Change c : changes) {
                // the decision needs nothing but the change: a copy such as a broker delivers decides alike
                Change elsewhere = new Change(c.position(), c.tenant(), c.dataset(), c.op(), c.key(), c.before(), c.after(),
                        c.commitTime(), new Change.Source(c.source().xid(), c.source().commitLsn()));
                assertThat(snap.includes(elsewhere)).isEqualTo(snap.includes(c));
                if (snap.includes(c)) {
                    assertThat(c.position()).as("snapshot %d includes nothing beyond its horizon", i).isLessThanOrEqualTo(snap.horizon());
                }
                if (!c.tenant().equals("snap") || snap.includes(c)) {
                    continue;
                }
                notIncludedTotal++;
                if (c.op() == Op.CREATE) {
                    assertThat(replayed.add(c.key())).as("snapshot %d already had %s", i, c.key()).isTrue();
                } else if (c.op() == Op.DELETE) {
                    assertThat(replayed.remove(c.key())).as("snapshot %d lacked deleted %s", i, c.key()).isTrue();
                }
            }
            assertThat(replayed).as("snapshot %d + changes it does not include == final state", i).isEqualTo(finalKeys);
        }
        assertThat(notIncludedTotal).isPositive();
    }

    private List<Change> drainUntil(Position from, String key) {
        List<Change> out = new ArrayList<>();
        Position[] at = {from};
        org.awaitility.Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
            for (List<Change> b = store.changes().read(at[0], 10_000); !b.isEmpty(); b = store.changes().read(at[0], 10_000)) {
                out.addAll(b);
                at[0] = b.getLast().position();
            }
            return !out.isEmpty() && out.getLast().key().equals(key);
        });
        return out;
    }

    private Set<String> sqlKeys() throws Exception {
        Set<String> keys = new HashSet<>();
        try (var c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id FROM events WHERE tenant = 'snap'")) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }
}
