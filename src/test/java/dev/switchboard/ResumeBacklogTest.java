package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that resumes after missing more changes than an SSE session queues (1024), but fewer
 * than the resume ring holds (4096), while writes go on: it must get exactly the missed changes
 * and then the live ones, with no reset and no gap. The opening replay used to count against the
 * queue bound, so the first live event overflowed the session; the overflow then resynchronized
 * from nothing written yet (a full reset) and dropped events published while it resynchronized.
 */
class ResumeBacklogTest {
    @TempDir
    Path dir;

    @Test
    void resumeWithBacklogLargerThanQueue_underLiveWrites_getsEveryChangeOnce() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String path = "/api/events/t1?dashboards=calls&datasets=call_logs";
            String resumeFrom = firstChangeId(server, path);
            for (int b = 1; b < 2500; b += 250) {
                assertThat(server.post("/api/ingest/t1/call_logs", rows(b, 250)).statusCode()).isEqualTo(200);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger(2501);
            CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        server.post("/api/ingest/t1/call_logs", rows(next.getAndAdd(5), 5));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            List<SseClient.Event> events = new ArrayList<>();
            try (SseClient resumed = new SseClient(server.sb.port(), path, resumeFrom)) {
                Thread.sleep(1500);
                stop.set(true);
                live.get();
                int total = next.get();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (events.stream().filter(e -> e.type().equals("change")).count() < total - 1 && System.nanoTime() < deadline) {
                    events.addAll(resumed.drain(Duration.ofMillis(200)));
                }
                events.addAll(resumed.drain(Duration.ofMillis(300)));
                List<String> keys = events.stream().filter(e -> e.type().equals("change")).map(e -> e.data().path("key").asString()).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 1; i < total; i++) {
                    expected.add("r" + i);
                }
                assertThat(events).noneMatch(e -> e.type().equals("reset") || e.type().equals("snapshot"));
                assertThat(keys).as("every change after the resume position, once, in order; " + firstDifference(expected, keys)).isEqualTo(expected);
            }
        }
    }

    /**
     * More changes missed than the dataset's resume ring holds (4096), with another tenant writing
     * in between: the missed changes come from the store's change log instead of a reset, only this
     * tenant's, once each and in order, followed by the live ones.
     */
    @Test
    void resumeBeyondTheRing_backfillsFromTheChangeLog_onlyThisTenant() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String path = "/api/events/t1?dashboards=calls&datasets=call_logs";
            String resumeFrom = firstChangeId(server, path);
            int missed = 6000;
            for (int b = 1; b <= missed; b += 500) {
                assertThat(server.post("/api/ingest/t1/call_logs", rows(b, 500)).statusCode()).isEqualTo(200);
                assertThat(server.post("/api/ingest/t2/call_logs", rows(100_000 + b, 100)).statusCode()).isEqualTo(200);
            }
            try (SseClient resumed = new SseClient(server.sb.port(), path, resumeFrom)) {
                List<SseClient.Event> events = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (events.stream().filter(e -> e.type().equals("change")).count() < missed && System.nanoTime() < deadline) {
                    events.addAll(resumed.drain(Duration.ofMillis(200)));
                }
                assertThat(server.post("/api/ingest/t1/call_logs", rows(missed + 1, 1)).statusCode()).isEqualTo(200);
                events.add(resumed.await(e -> e.type().equals("change"), Duration.ofSeconds(10)));
                List<SseClient.Event> changes = events.stream().filter(e -> e.type().equals("change")).toList();
                List<String> keys = changes.stream().map(e -> e.data().path("key").asString()).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 1; i <= missed + 1; i++) {
                    expected.add("r" + i);
                }
                assertThat(events).noneMatch(e -> e.type().equals("reset") || e.type().equals("snapshot"));
                assertThat(changes).allMatch(e -> e.data().path("tenant").asString().equals("t1"));
                assertThat(keys).as("every change after the resume position, once, in order; " + firstDifference(expected, keys)).isEqualTo(expected);
            }
        }
    }

    /** Subscribes, posts row r0 and returns the id of its change event: a position to resume from. */
    private static String firstChangeId(TestServer server, String path) throws Exception {
        try (SseClient first = new SseClient(server.sb.port(), path, null)) {
            first.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(10));
            assertThat(server.post("/api/ingest/t1/call_logs", rows(0, 1)).statusCode()).isEqualTo(200);
            return first.await(e -> e.type().equals("change"), Duration.ofSeconds(10)).id();
        }
    }

    static String firstDifference(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "first difference at " + i + ": expected " + expected.get(i) + ", got "
                        + actual.subList(i, Math.min(actual.size(), i + 3)) + " (" + expected.size() + " vs " + actual.size() + ")";
            }
        }
        return "sizes " + expected.size() + " vs " + actual.size();
    }

    private static String rows(int from, int count) {
        StringBuilder b = new StringBuilder("[");
        String at = Instant.now().minusSeconds(30).toString();
        for (int i = from; i < from + count; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"status\":\"active\",\"started_at\":\"").append(at).append("\"}");
        }
        return b.append("]").toString();
    }
}
