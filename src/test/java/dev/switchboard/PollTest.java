package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** HTTP long-polling with a real client (curl): the snapshot, then waits for what follows, exactly. */
class PollTest {
    @TempDir
    Path dir;

    static JsonNode curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "70", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(80, TimeUnit.SECONDS)).isTrue();
        return TestServer.JSON.readTree(out);
    }

    private static String call(String id) {
        return "{\"id\":\"" + id + "\",\"status\":\"active\",\"started_at\":\"" + Instant.now().minusSeconds(60) + "\"}";
    }

    @Test
    void poll_snapshotFirst_thenWaitsForChanges_everyChangeOnceAcrossPolls() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String base = server.base() + "/api/poll/t1?dashboards=calls&datasets=call_logs";
            JsonNode first = curl(base);
            assertThat(first.path("events").get(0).path("event").asString()).isEqualTo("snapshot");
            String position = first.path("position").asString();

            // a poll with nothing new waits, and answers as soon as a change lands
            CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return curl(base + "&wait=20&since=" + position);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // the poll is parked before the change lands (else it answers at once: also correct)
            server.post("/api/ingest/t1/call_logs", call("p0"));
            JsonNode got = waiting.get(30, TimeUnit.SECONDS);
            assertThat(got.path("events")).anyMatch(e -> e.path("event").asString().equals("change")
                    && e.path("data").path("key").asString().equals("p0"));

            // polls at random moments while changes flow: each change exactly once, in order
            List<String> keys = new ArrayList<>(List.of("p0"));
            String since = got.path("position").asString();
            int posted = 1;
            for (int round = 0; round < 8; round++) {
                int burst = ThreadLocalRandom.current().nextInt(1, 15);
                for (int i = 0; i < burst; i++) {
                    server.post("/api/ingest/t1/call_logs", call("p" + posted++));
                }
                JsonNode r = curl(base + "&wait=5&since=" + since);
                for (JsonNode e : r.path("events")) {
                    if (e.path("event").asString().equals("change")) {
                        keys.add(e.path("data").path("key").asString());
                    }
                }
                since = r.path("position").asString();
            }
            while (keys.size() < posted) {
                JsonNode r = curl(base + "&wait=5&since=" + since);
                r.path("events").forEach(e -> {
                    if (e.path("event").asString().equals("change")) {
                        keys.add(e.path("data").path("key").asString());
                    }
                });
                since = r.path("position").asString();
            }
            List<String> want = new ArrayList<>();
            for (int i = 0; i < posted; i++) {
                want.add("p" + i);
            }
            assertThat(keys).containsExactlyElementsOf(want);

            JsonNode idle = curl(base + "&wait=1&since=" + since);
            assertThat(idle.path("events")).isEmpty();
            assertThat(idle.path("position").asString()).isEqualTo(since);
        }
    }

    @Test
    void poll_fromAnUnknownPosition_resets_andBadInputGetsAJsonError() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            JsonNode r = curl(server.base() + "/api/poll/t1?dashboards=calls&datasets=call_logs&since=nope-1&wait=0");
            assertThat(r.path("events")).anyMatch(e -> e.path("event").asString().equals("snapshot") && e.path("data").path("reset").asBoolean());
            assertThat(r.path("events")).anyMatch(e -> e.path("event").asString().equals("reset"));
            JsonNode bad = curl(server.base() + "/api/poll/t1?dashboards=calls&wait=600");
            assertThat(bad.path("status").asInt()).isEqualTo(400);
            assertThat(bad.path("error").asString()).contains("wait");
            JsonNode none = curl(server.base() + "/api/poll/t1");
            assertThat(none.path("status").asInt()).isEqualTo(400);
        }
    }
}
