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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 6: a stream whose client stopped reading overflowed once and waits for its
 * stall limit; it must not cost the fan-out thread an offer per event meanwhile (600 such streams
 * and 40,000 changes made another tenant's events wait seconds behind 24 million ignored offers).
 * A subscriber that says it is done is offered nothing more, and one beside it still gets everything.
 */
class FanoutForgetsDoneTest {
    @TempDir
    Path dir;

    @Test
    void aDoneSubscriber_isOfferedNothingMore_andOthersOnItsTopicGetEverything() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            AtomicInteger offeredToDone = new AtomicInteger();
            AtomicInteger offeredToLive = new AtomicInteger();
            Subscriber doneAfterTwo = new Subscriber() {
                @Override
                public void offer(Event event) {
                    offeredToDone.incrementAndGet();
                }

                @Override
                public boolean done() {
                    return offeredToDone.get() >= 2;
                }
            };
            Subscriber live = e -> offeredToLive.incrementAndGet();
            String topic = Hub.datasetTopic("t1", "call_logs");
            core.feed.call(() -> {
                core.hub.subscribe(TopicKind.DATASET, topic, "call_logs", Optional.empty(), doneAfterTwo);
                core.hub.subscribe(TopicKind.DATASET, topic, "call_logs", Optional.empty(), live);
                return null;
            }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 6; i++) {
                core.post("t1", "{\"id\":\"c" + i + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> offeredToLive.get() == 6);
            assertThat(offeredToDone.get()).isEqualTo(2);
            assertThat(core.hub.forgotten()).isEqualTo(1);
        }
    }
}
