package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definitions from --dashboards DIR: validated at start with file, widget and field named; then served like built-in ones. */
class UserDashboardsTest {
    @TempDir
    Path dir;

    Config config(Path dashboards) {
        return new Config(true, "127.0.0.1", 0, dir.resolve("data"), Optional.empty(), 0, Optional.of(dashboards), Optional.empty(), false, "u");
    }

    @Test
    void badDefinition_failsTheStart_namingFileWidgetAndField() throws Exception {
        Path defs = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(defs.resolve("mine.yaml"), """
                name: mine
                widgets:
                  slow_calls: { stat: count, dataset: call_logs, where: { durration: { gt: 60 } } }
                """);
        assertThatThrownBy(() -> Switchboard.start(config(defs), Clock.systemUTC()))
                .hasMessageContaining("mine.yaml").hasMessageContaining("slow_calls").hasMessageContaining("durration");
        Files.writeString(defs.resolve("mine.yaml"), """
                name: mine
                widgets:
                  per_hour: { series: count, bucket: 7m, dataset: call_logs, window: 24h }
                """);
        assertThatThrownBy(() -> Switchboard.start(config(defs), Clock.systemUTC()))
                .hasMessageContaining("per_hour").hasMessageContaining("bucket");
    }

    @Test
    void userDefinition_isServedOverRest() throws Exception {
        Path defs = Files.createDirectories(dir.resolve("good"));
        Files.writeString(defs.resolve("long_calls.yaml"), """
                name: long_calls
                title: Long calls
                widgets:
                  long_calls: { stat: count, dataset: call_logs, where: { duration: { gte: 600 } } }
                  longest:    { stat: max, field: duration, dataset: call_logs }
                """);
        try (Switchboard sb = Switchboard.start(config(defs), Clock.systemUTC()); var http = new TestServer.Client(sb.port())) {
            http.post("/api/ingest/t1/call_logs", "[" + SseWireTest.call("a", "ended", "completed", 700) + "," + SseWireTest.call("b", "ended", "completed", 30) + "]");
            var r = http.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + sb.port() + "/api/dashboards/long_calls/t1")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            var w = TestServer.JSON.readTree(r.body()).path("widgets");
            assertThat(w.path("long_calls").asLong()).isEqualTo(1);
            assertThat(w.path("longest").asDouble()).isEqualTo(700.0);
        }
    }
}
