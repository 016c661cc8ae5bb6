package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one database number every change identically (positions come from the WAL), so a
 * client may resume on either: one subscriber per node, and a third that hops A, B, A, ... with
 * Last-Event-ID at random moments, all end with the same changes at the same positions.
 *
 * <p>Writers are paced (6 ms between transactions): a client resumes from a hub ring of 4,096 events
 * per topic, so hopping from a node that lags to one that leads by more than that is answered
 * with a reset (correctly). Two nodes in one JVM under unpaced writers drifted up to ~5,600
 * changes apart at peak.
 */
@Tag("slow")
class MultiNodeAgreementTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";

    @TempDir
    Path dir;

    @Test
    void twoNodes_samePositions_andHoppingClientSeesNoGapNoDuplicate() throws Exception {
        try (PgDatabase db = PgDatabase.create("multinode"); Switchboard a = Nodes.inProcess(db, "na", dir.resolve("a"));
             Switchboard b = Nodes.inProcess(db, "nb", dir.resolve("b")); ResumingSubscriber onA = new ResumingSubscriber(PATH);
             ResumingSubscriber onB = new ResumingSubscriber(PATH); ResumingSubscriber hopper = new ResumingSubscriber(PATH)) {
            CallWorkload work = new CallWorkload(db);
            // A client's first position must be one both nodes can resume: after the later node's slot was created.
            db.exec("INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('warmup', 't0', 'active', now())");
            for (Switchboard node : List.of(a, b)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (node.engine().changesApplied() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            onA.connect(a.port());
            onB.connect(b.port());
            hopper.connect(a.port());
            for (ResumingSubscriber s : List.of(onA, onB, hopper)) {
                s.awaitSnapshot(Duration.ofSeconds(30));
            }
            AtomicInteger hops = new AtomicInteger();
            AtomicBoolean stopHopping = new AtomicBoolean();
            Thread hopping = hopper.churn(11, () -> hops.incrementAndGet() % 2 == 1 ? b.port() : a.port(), stopHopping);
            java.util.concurrent.atomic.AtomicLong maxLag = new java.util.concurrent.atomic.AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!stopHopping.get()) {
                    maxLag.accumulateAndGet(Math.abs(a.engine().changesApplied() - b.engine().changesApplied()), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CallWorkload.Plan plan = work.new Plan("w" + i, 500 + i, 10, 0.8);
                writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> work.committedChanges.get() < 20_000, 6),
                        r -> Thread.ofPlatform().name("writer").start(r)));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            stopHopping.set(true);
            hopping.join();
            List<String> expected = work.expected("t1");
            for (ResumingSubscriber s : List.of(onA, onB, hopper)) {
                s.awaitChanges(expected.size(), Duration.ofSeconds(60));
            }
            Thread.sleep(1000);

            List<String> idsA = onA.changes().stream().map(ResumingSubscriber.Received::id).toList();
            List<String> idsB = onB.changes().stream().map(ResumingSubscriber.Received::id).toList();
            List<String> idsHopper = hopper.changes().stream().map(ResumingSubscriber.Received::id).toList();
            List<String> hopperKeys = hopper.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
            System.out.printf("multi-node: %d changes of t1; node A and B ids equal: %s; hopper made %d connections "
                            + "(dashboard resnapshots on hops: %d)%n",
                    expected.size(), idsA.equals(idsB), hopper.connections(), hopper.dashboardResets().size());
            System.out.printf("multi-node: largest difference in changes dispatched between the nodes: %d; hopper problems %s%n", maxLag.get(), hopper.problems());
            for (ResumingSubscriber s : List.of(onA, onB, hopper)) {
                assertThat(s.problems()).isEmpty();
                assertThat(s.changes().stream().map(ResumingSubscriber.Received::opKey).toList())
                        .as("every committed change once, in commit order").isEqualTo(expected);
            }
            assertThat(idsB).as("the same change has the same position (SSE id) on both nodes").isEqualTo(idsA);
            assertThat(hopper.connections()).as("the hopper really moved between nodes").isGreaterThan(6);
            assertThat(idsHopper).as("hopping A-B-A...: no gap, no duplicate; " + CallWorkload.firstDifference(expected, hopperKeys))
                    .isEqualTo(idsA);
        }
    }
}
