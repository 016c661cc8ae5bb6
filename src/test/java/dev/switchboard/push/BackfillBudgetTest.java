package dev.switchboard.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 12, finding 2: backfills run within a per-node budget; beyond it a client is refused at once (it resets). */
class BackfillBudgetTest {

    @Test
    void readsBeyondTheThreadsAndTheWaitingRoom_areRefusedAtOnce_theOthersRunInTurn() throws Exception {
        try (BackfillBudget budget = new BackfillBudget(2, 3, Duration.ofMinutes(1), System::nanoTime)) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(2);
            List<CompletableFuture<Optional<Integer>>> reads = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // 2 running, 3 waiting
                int n = i;
                reads.add(budget.run(() -> {
                    running.countDown();
                    await(gate);
                    return n;
                }));
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Optional<Integer>> beyond = budget.run(() -> 99);
            assertThat(beyond.get(1, TimeUnit.SECONDS)).isEmpty(); // refused without waiting for the gate
            assertThat(budget.refused()).isEqualTo(1);
            gate.countDown();
            for (int i = 0; i < 5; i++) {
                assertThat(reads.get(i).get(10, TimeUnit.SECONDS)).contains(i);
            }
            assertThat(budget.run(() -> 7).get(10, TimeUnit.SECONDS)).contains(7);
        }
    }

    @Test
    void aReadThatWaitedTooLong_isRefused() throws Exception {
        AtomicLong now = new AtomicLong();
        try (BackfillBudget budget = new BackfillBudget(1, 4, Duration.ofSeconds(10), now::get)) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<Optional<Integer>> first = budget.run(() -> {
                running.countDown();
                await(gate);
                return 1;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Optional<Integer>> late = budget.run(() -> 2); // waits behind the first
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            gate.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).contains(1);
            assertThat(late.get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
