package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.hub.Event;
import dev.switchboard.hub.Hub;
import dev.switchboard.hub.Subscriber;
import dev.switchboard.hub.TopicKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 4: health must see delivery lagging (another tenant's events were 0.6-10 s
 * late while health was green). The hub reports how long published events wait for a fan-out
 * thread, also while one is stuck.
 */
class DeliveryLagTest {
    @TempDir
    Path dir;

    @Test
    void aStuckFanOut_showsAsDeliveryLag_untilItCatchesUp() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Subscriber stuck = new Subscriber() {
                @Override
                public void offer(Event event) {
                    inside.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            core.feed.call(() -> core.hub.subscribe(TopicKind.DATASET, Hub.datasetTopic("t1", "call_logs"), "call_logs", Optional.empty(), stuck))
                    .get(10, TimeUnit.SECONDS);
            assertThat(core.hub.deliveryLagMillis()).isZero();
            try {
                core.post("t1", "{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
                assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
                core.post("t1", "{\"id\":\"b\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> core.hub.deliveryLagMillis() >= 300);
            } finally {
                release.countDown();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> core.hub.deliveryLagMillis() == 0);
            // once the stall is over the current lag is 0, but a sample taken now still sees that it happened
            assertThat(core.hub.worstDeliveryLagMillis()).as("the worst wait of the last 10 s").isGreaterThanOrEqualTo(300);
            assertThat(core.hub.deliveryLagMillis()).isZero();
        }
    }
}
