package dev.switchboard.turns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Order and bounds of {@link Turns}, observed with gates (a held turn stands for long work), not
 * with wall-clock times.
 */
class TurnsTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** A thread per task: the common pool may have a single thread on a small machine, and these tasks block. */
    private static final java.util.concurrent.Executor THREADS = task -> Thread.ofPlatform().daemon().start(task);

    /** Queues {@code who} ("tenant#n") for a turn that records itself and ends at once. */
    private static CompletableFuture<Void> queue(Turns turns, String who, List<String> order) {
        String key = who.substring(0, who.indexOf('#'));
        return CompletableFuture.runAsync(() -> {
            try {
                turns.acquire(key);
                order.add(who);
                turns.release(key);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
    }

    @Test
    void waitingKeys_areServedLeastRecentlyFirst_notInArrivalOrder() throws Exception {
        Turns turns = new Turns(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        turns.acquire("big"); // a long batch of tenant "big" is being written
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String who : new String[] {"big#2", "big#3", "big#4", "small#1"}) {
            all.add(queue(turns, who, order));
            int queued = all.size();
            Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == queued);
        }
        turns.release("big");
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("small#1", "big#2", "big#3", "big#4");
        assertThat(turns.keys()).isZero(); // nothing is remembered of keys that are done
    }

    @Test
    void withTwoPermits_twoKeysWorkAtOnce_andAThirdWaits() throws Exception {
        Turns turns = new Turns(2);
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch finish = new CountDownLatch(1);
        List<CompletableFuture<Void>> holders = new ArrayList<>();
        for (String key : new String[] {"a", "b"}) {
            holders.add(CompletableFuture.runAsync(() -> turns.in(key, () -> {
                inside.countDown();
                try {
                    finish.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }), THREADS));
        }
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue(); // both at once: two permits
        assertThat(turns.held()).isEqualTo(2);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> third = queue(turns, "c#1", order);
        Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == 1);
        assertThat(order).isEmpty();
        finish.countDown();
        third.get(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(holders.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("c#1");
        assertThat(turns.held()).isZero();
    }

    @Test
    void aBoundedWait_givesUpWithNothingHeld_andTheNextWaiterStillGetsItsTurn() throws Exception {
        Turns turns = new Turns(1);
        turns.acquire("busy");
        assertThat(turns.acquire("late", Duration.ofMillis(50))).isFalse();
        assertThat(turns.waiting()).isZero();
        assertThatThrownBy(() -> turns.release("late")).isInstanceOf(IllegalStateException.class);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> next = queue(turns, "next#1", order);
        Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == 1);
        turns.release("busy");
        next.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("next#1");
        assertThat(turns.keys()).isZero();
    }

    @Test
    void aWaiterThatGivesUp_doesNotStrandTheOneBehindIt() throws Exception {
        // the first in line times out just as the turn frees: the one behind it must not sleep on
        Turns turns = new Turns(1);
        turns.acquire("holder");
        CompletableFuture<Boolean> impatient = CompletableFuture.supplyAsync(() -> {
            try {
                return turns.acquire("impatient", Duration.ofSeconds(3));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
        Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == 1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> patient = queue(turns, "patient#1", order);
        Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == 2);
        assertThat(impatient.get(10, TimeUnit.SECONDS)).isFalse();
        turns.release("holder");
        patient.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("patient#1");
    }

    @Test
    void anInterruptedWaiter_leavesTheQueue() throws Exception {
        Turns turns = new Turns(1);
        turns.acquire("holder");
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                turns.acquire("w");
            } catch (InterruptedException expected) {
                return;
            }
            turns.release("w");
        });
        Awaitility.await().atMost(BOUND).until(() -> turns.waiting() == 1);
        waiter.interrupt();
        waiter.join(BOUND);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(turns.waiting()).isZero();
        turns.release("holder");
        assertThat(turns.keys()).isZero();
    }

    @Test
    void noPermits_isRefused() {
        assertThatThrownBy(() -> new Turns(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }
}
