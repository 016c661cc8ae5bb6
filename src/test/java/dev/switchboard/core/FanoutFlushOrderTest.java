package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.hub.Event;
import dev.switchboard.hub.Hub;
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
 * Issue 12, the honest clients' tail: a fan-out thread writes to each session it touched, and a
 * session whose client fell behind has hundreds of events to copy into its socket. A session that
 * keeps up (an event or two queued) must not be written after every one of those: the fan-out
 * thread flushes those with the least queued first.
 */
class FanoutFlushOrderTest {
    @TempDir
    Path dir;

    /** Records its flushes in {@code flushed}; {@code queued} is what it says it has waiting. */
    private record Recording(String name, int queued, List<String> flushed) implements Subscriber {
        @Override
        public void offer(Event event) {}

        @Override
        public void flush() {
            flushed.add(name);
        }

        @Override
        public int queued() {
            return queued;
        }
    }

    @Test
    void aSessionThatKeepsUp_isFlushedBeforeTheSessionsThatFellBehind() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            List<String> flushed = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the shard is held in a flush (a long write) while the next publications queue behind it
            Subscriber blocker = new Subscriber() {
                @Override
                public void offer(Event event) {}

                @Override
                public void flush() {
                    blocking.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            int shard = shardOf(blocker);
            List<Subscriber> behind = new ArrayList<>();
            for (int i = 0; behind.size() < 20; i++) {
                Subscriber s = new Recording("behind-" + i, 500, flushed);
                if (shardOf(s) == shard) {
                    behind.add(s);
                }
            }
            Subscriber keepingUp = null;
            while (keepingUp == null) {
                Subscriber s = new Recording("keeping-up", 1, flushed);
                keepingUp = shardOf(s) == shard ? s : null;
            }
            Subscriber reader = keepingUp;
            core.feed.call(() -> {
                core.hub.subscribe(TopicKind.EPHEMERAL, "gate", "", Optional.empty(), blocker);
                behind.forEach(s -> core.hub.subscribe(TopicKind.EPHEMERAL, "abuse", "", Optional.empty(), s));
                core.hub.subscribe(TopicKind.EPHEMERAL, "honest", "", Optional.empty(), reader);
                return null;
            }).get(10, TimeUnit.SECONDS);
            core.hub.broadcast("gate", "tick", "{}");
            assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
            // published while the shard writes: the 20 that fell behind first, then the one that keeps up
            core.hub.broadcast("abuse", "tick", "{}");
            core.hub.broadcast("honest", "tick", "{}");
            core.feed.call(() -> null).get(10, TimeUnit.SECONDS); // both are in the shard's mailbox
            release.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> flushed.size() == 21);
            assertThat(flushed.get(0)).isEqualTo("keeping-up");
        }
    }

    /** The fan-out shard of {@code s} in a hub of two (as {@code Core} makes it): by identity hash. */
    private static int shardOf(Subscriber s) {
        return Math.floorMod(System.identityHashCode(s), 2);
    }
}
