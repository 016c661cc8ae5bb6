package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The window alone: ordering, eviction by age and size, the floor, holding what is not acknowledged, and wake-ups. */
class ChangeWindowTest {
    private static final long BASE = 0x1000;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Txn txn(long commitLsn, int xid, int changes, Instant at) {
        List<Change> list = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            list.add(new Change(new Position("e", Positions.seq(BASE, commitLsn, i)), "t", "events", Op.CREATE,
                    commitLsn + "/" + i, Row.NONE, Row.of(Map.of("id", commitLsn + "/" + i)), at));
        }
        return new Txn(commitLsn, commitLsn + 8, xid, list);
    }

    @Test
    void read_afterPosition_returnsLaterChangesInOrderUpToMax() {
        ChangeWindow w = new ChangeWindow(0);
        w.append(txn(0x2000, 1, 3, T0));
        w.append(txn(0x3000, 2, 2, T0));

        List<Change> all = w.read(0, 100, true);
        assertThat(all).hasSize(5);
        assertThat(w.read(all.get(1).position().seq(), 2, true)).containsExactly(all.get(2), all.get(3));
        assertThat(w.read(all.getLast().position().seq(), 10, true)).isEmpty();
        assertThat(w.head()).isEqualTo(all.getLast().position().seq());
    }

    @Test
    void append_transactionAlreadyHeld_isIgnored() {
        ChangeWindow w = new ChangeWindow(0);
        assertThat(w.append(txn(0x2000, 1, 2, T0))).isTrue();
        assertThat(w.append(txn(0x2000, 1, 2, T0))).isFalse();
        assertThat(w.read(0, 10, true)).hasSize(2);
    }

    @Test
    void evict_byAgeAndSize_raisesFloorAndReadBelowItThrows() {
        ChangeWindow w = new ChangeWindow(0);
        w.append(txn(0x2000, 1, 2, T0));
        w.append(txn(0x3000, 2, 2, T0.plusSeconds(60)));
        w.append(txn(0x4000, 3, 2, T0.plusSeconds(120)));

        Txn dropped = w.evict(T0.plusSeconds(90), Duration.ofSeconds(60), 100, Long.MAX_VALUE);
        assertThat(dropped.commitLsn()).isEqualTo(0x2000);
        assertThat(w.floor()).isEqualTo(dropped.lastSeq());
        assertThatThrownBy(() -> w.read(0, 10, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");

        dropped = w.evict(T0.plusSeconds(90), Duration.ofSeconds(60), 2, Long.MAX_VALUE);
        assertThat(dropped.commitLsn()).isEqualTo(0x3000);
        assertThat(w.read(w.floor(), 10, true)).hasSize(2);
    }

    @Test
    void evict_neverDropsWhatIsNotAcknowledged() {
        ChangeWindow w = new ChangeWindow(0);
        w.append(txn(0x2000, 41, 3, T0));
        w.append(txn(0x3000, 42, 1, T0));
        long firstLast = Positions.seq(BASE, 0x2000, 2);
        assertThat(w.evict(T0.plusSeconds(90), Duration.ofSeconds(60), 0, firstLast - 1)).as("nothing acknowledged yet").isNull();
        assertThat(w.evict(T0.plusSeconds(90), Duration.ofSeconds(60), 0, firstLast).commitLsn()).isEqualTo(0x2000);
        assertThat(w.floor()).isEqualTo(firstLast);
        assertThat(w.size()).as("the unacknowledged transaction stays past retention").isEqualTo(1);
    }

    @Test
    void evict_neverDropsWhatTheFeedHasNotRead_soAFeedBehindABurstIsNeverLeftBelowTheFloor() {
        ChangeWindow w = new ChangeWindow(0);
        w.append(txn(0x2000, 1, 3, T0));
        w.append(txn(0x3000, 2, 3, T0));
        w.append(txn(0x4000, 3, 3, T0));
        assertThat(w.held()).as("no feed has read yet: only a broker would hold the window").isFalse();
        assertThat(w.keepAfter()).isEqualTo(Long.MAX_VALUE);

        List<Change> first = w.read(0, 3, true); // the feed took the first transaction, then fell behind
        assertThat(w.held()).isTrue();
        assertThat(w.keepAfter()).isEqualTo(first.getLast().position().seq());
        Txn dropped = w.evict(T0.plusSeconds(3600), Duration.ofSeconds(60), 0, w.keepAfter());
        assertThat(dropped.commitLsn()).as("only what the feed read goes, however old and however many").isEqualTo(0x2000);
        assertThat(w.size()).isEqualTo(6);
        assertThat(w.read(first.getLast().position().seq(), 100, true)).as("the feed goes on where it was").hasSize(6);
        assertThat(w.evict(T0.plusSeconds(3600), Duration.ofSeconds(60), 0, w.keepAfter()).commitLsn()).isEqualTo(0x4000);
        assertThat(w.size()).isZero();
    }

    @Test
    void await_returnsWhenATransactionArrives() throws Exception {
        ChangeWindow w = new ChangeWindow(0);
        w.read(0, 10, true);
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                w.await(30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        w.append(txn(0x2000, 1, 1, T0));
        waiter.get(10, TimeUnit.SECONDS);
        assertThat(w.awaitXid(1, 0, 10)).isEqualTo(Positions.seq(BASE, 0x2000, 0));
        assertThat(w.awaitXid(2, 0, 10)).isEqualTo(-1);
    }

    @Test
    void quietAppends_areReadableAtOnce_andOneWakeReleasesAWaiterForTheWholeBurst() throws Exception {
        ChangeWindow w = new ChangeWindow(0);
        w.read(0, 10, true);
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                waiting.countDown();
                w.await(30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        waiting.await(10, TimeUnit.SECONDS);
        assertThat(w.append(txn(0x2000, 1, 2, T0), false)).isTrue();
        assertThat(w.append(txn(0x3000, 2, 1, T0), false)).isTrue();
        assertThat(w.head()).isEqualTo(Positions.seq(BASE, 0x3000, 0));
        w.wake();
        waiter.get(10, TimeUnit.SECONDS);
        assertThat(w.read(0, 100, true)).extracting(Change::key).containsExactly("8192/0", "8192/1", "12288/0");
        // a reader arriving after quiet appends does not wait for a wake-up
        w.append(txn(0x4000, 3, 1, T0), false);
        w.await(30_000);
        assertThat(w.read(Positions.seq(BASE, 0x3000, 0), 100, true)).extracting(Change::key).containsExactly("16384/0");
    }

    @Test
    void restartAt_dropsEverythingAndServesOnlyAfterTheNewFloor() {
        ChangeWindow w = new ChangeWindow(0);
        w.append(txn(0x2000, 1, 2, T0));
        long newFloor = Positions.before(BASE, 0x9000);
        w.restartAt(newFloor);
        assertThat(w.floor()).isEqualTo(newFloor);
        assertThat(w.resumeLsn()).isZero();
        assertThatThrownBy(() -> w.read(0, 10, true)).isInstanceOf(IllegalArgumentException.class);
        w.append(txn(0x9000, 3, 1, T0));
        assertThat(w.read(newFloor, 10, true)).hasSize(1);
    }

    /** A client's history read must not count as the feed having seen the changes, or the feed would sleep on them. */
    @Test
    void historyRead_leavesTheFeedsWakeUpMarkAlone() throws Exception {
        ChangeWindow w = new ChangeWindow(0);
        w.read(0, 10, true);
        w.append(txn(0x2000, 1, 2, T0));
        assertThat(w.read(0, 10, false)).hasSize(2);
        long t0 = System.nanoTime();
        w.await(30_000); // returns at once: the feed has not read the new transaction yet
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(20);
        assertThat(w.read(0, 10, true)).hasSize(2);
    }
}
