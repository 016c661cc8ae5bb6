package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The activity chart's sampled series (campaigns dashboard, {@code sample: ..., every: 5s,
 * points: 20}; seed 004 l.16, l.170) over SSE: in the snapshot, a new point as a delta at the next
 * aligned instant, and resumable like any dashboard topic: a client reconnecting with
 * Last-Event-ID gets the points it missed as the deltas that carried them.
 */
class SampleOverTheWireTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void sampledPoints_arriveAsDeltas_andAreReplayedOnResume() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            String path = "/api/events/" + Seed004Data.ACCOUNT + "?dashboards=campaigns";
            String lastId;
            JsonNode first;
            try (SseClient sse = new SseClient(server.sb.port(), path, null)) {
                SseClient.Event snapshot = sse.await(e -> e.type().equals("snapshot"), WAIT);
                first = snapshot.data().path("widgets").path("activity_active_calls");
                assertThat(first.size()).isBetween(1, 20);
                lastId = snapshot.id();
                SseClient.Event delta = sse.await(e -> e.type().equals("delta") && e.data().path("widgets").has("activity_active_calls"), WAIT);
                JsonNode points = delta.data().path("widgets").path("activity_active_calls");
                JsonNode newest = points.get(points.size() - 1);
                assertThat(Instant.parse(newest.path("t").asString())).isAfter(Instant.parse(first.get(first.size() - 1).path("t").asString()));
                assertThat(Instant.parse(newest.path("t").asString()).toEpochMilli() % 5000).as("aligned to 5 s").isZero();
                assertThat(newest.path("v").asLong()).isEqualTo(5); // the active calls then
                assertThat(delta.data().path("widgets").has("activity_queue_depth")).as("sampled at the same instant").isTrue();
            }
            // a client that left after the snapshot resumes: the deltas with the points it missed are replayed
            try (SseClient sse = new SseClient(server.sb.port(), path, lastId)) {
                assertThat(sse.await(e -> true, WAIT).type()).as("a replay from the ring, not a new snapshot").isEqualTo("delta");
                SseClient.Event replayed = sse.await(e -> e.type().equals("delta") && e.data().path("widgets").has("activity_active_calls"), WAIT);
                JsonNode points = replayed.data().path("widgets").path("activity_active_calls");
                assertThat(points.size()).isGreaterThan(first.size() >= 20 ? 19 : first.size());
            }
        }
    }
}
