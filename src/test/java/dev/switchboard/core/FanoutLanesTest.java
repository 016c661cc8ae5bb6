package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.hub.Event;
import dev.switchboard.hub.Subscriber;
import dev.switchboard.hub.TopicKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, the honest clients' tail: a 500-row batch of one tenant watched by hundreds of streams
 * is over 100,000 offers in one fan-out thread. An event of another tenant published just after it
 * must not wait for all of them: the thread takes tenants' work in turn, a slice at a time, while
 * each subscriber still receives its own events in publishing order.
 */
class FanoutLanesTest {
    @TempDir
    Path dir;

    /** Logs every offer as "name:type" in {@code offers}. */
    private record Logging(String name, List<String> offers) implements Subscriber {
        @Override
        public void offer(Event event) {
            offers.add(name + ":" + event.type());
        }

        @Override
        public void flush() {}
    }

    @Test
    void anotherTenantsEvent_isOfferedBeforeABurstQueuedAheadOfItEnds_andEachSubscriberKeepsItsOrder() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            List<String> offers = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the shard is held in an offer while the burst and the other tenant's event queue behind it
            Subscriber gate = new Subscriber() {
                @Override
                public void offer(Event event) {
                    blocking.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void flush() {}
            };
            int shard = shardOf(gate);
            List<Subscriber> watchers = new ArrayList<>();
            for (int i = 0; watchers.size() < 50; i++) {
                Subscriber s = new Logging("noisy-" + i, offers);
                if (shardOf(s) == shard) {
                    watchers.add(s);
                }
            }
            Subscriber honest = null;
            while (honest == null) {
                Subscriber s = new Logging("honest", offers);
                honest = shardOf(s) == shard ? s : null;
            }
            Subscriber reader = honest;
            core.feed.call(() -> {
                core.hub.subscribe(TopicKind.EPHEMERAL, "gate", "", Optional.empty(), gate);
                watchers.forEach(s -> core.hub.subscribe(TopicKind.EPHEMERAL, "noisy", "", Optional.empty(), s));
                core.hub.subscribe(TopicKind.EPHEMERAL, "honest", "", Optional.empty(), reader);
                return null;
            }).get(10, TimeUnit.SECONDS);
            core.hub.broadcast("gate", "tick", "{}");
            assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
            int burst = 400; // 400 events x 50 watchers: 20,000 offers, several slices
            for (int i = 0; i < burst; i++) {
                core.hub.broadcast("noisy", "e" + i, "{}");
            }
            core.hub.broadcast("honest", "mine", "{}");
            core.feed.call(() -> null).get(10, TimeUnit.SECONDS); // all of it is in the shard's mailbox
            release.countDown();
            int total = burst * watchers.size() + 1;
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> offers.size() == total);
            List<String> log = List.copyOf(offers);
            int mine = log.indexOf("honest:mine");
            assertThat(mine).as("the other tenant's event waits for at most a slice of the burst, not all of it")
                    .isLessThan(total / 2);
            for (Subscriber w : watchers) {
                String name = ((Logging) w).name();
                List<String> own = log.stream().filter(o -> o.startsWith(name + ":")).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    expected.add(name + ":e" + i);
                }
                assertThat(own).as("the order of %s's events", name).isEqualTo(expected);
            }
        }
    }

    /** The fan-out shard of {@code s} in a hub of two (as {@code Core} makes it): by identity hash. */
    private static int shardOf(Subscriber s) {
        return Math.floorMod(System.identityHashCode(s), 2);
    }
}
