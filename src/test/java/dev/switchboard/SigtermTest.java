package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.pg.Sse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code switchboard serve} process (a separate JVM): the streaming client is
 * told to reconnect with its position, and the process exits within {@code --shutdown-timeout}
 * with status 143 (128 + SIGTERM: the JVM's status after a signal, its shutdown hook having
 * stopped the server gracefully).
 */
class SigtermTest {
    @TempDir
    Path dir;

    @Test
    void sigterm_streamToldToReconnect_processExits143WithinShutdownTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("serve.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main", "serve",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dir.resolve("data").toString(),
                "--insecure-open-access", "--shutdown-timeout", "5s"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                assertThat(process.isAlive()).as("serve is running").isTrue();
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            });
            BlockingQueue<Sse.Event> events = new LinkedBlockingQueue<>();
            try (Sse sse = new Sse(port, "/api/events/t1?datasets=call_logs", null, events::add)) {
                String position = null;
                // the stream is registered once a row posted now reaches it; then the last row posted is the last event
                for (int i = 0; position == null && i < 100; i++) {
                    String id = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ingest/t1/call_logs"))
                                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"id\":\"r" + i + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T12:00:00.000Z\"}")).build(),
                            HttpResponse.BodyHandlers.ofString()).body().replaceAll(".*\"position\":\"([^\"]+)\".*", "$1");
                    Sse.Event e = events.poll(200, TimeUnit.MILLISECONDS);
                    while (e != null && !id.equals(e.id())) {
                        e = events.poll(10, TimeUnit.SECONDS);
                    }
                    position = e == null ? null : id;
                }
                assertThat(position).as("a change reached the stream").isNotNull();

                process.destroy(); // SIGTERM
                assertThat(process.waitFor(5 + 10, TimeUnit.SECONDS)).as("exits within shutdown-timeout (5 s) and the JVM's exit").isTrue();
                assertThat(process.exitValue()).as("128 + SIGTERM").isEqualTo(143);
                Sse.Event reconnect = events.poll(1, TimeUnit.SECONDS);
                assertThat(reconnect).as("the next event is the reconnect notice").isNotNull();
                assertThat(reconnect.type()).isEqualTo("reconnect");
                assertThat(reconnect.id()).as("with the last position written").isEqualTo(position);
                assertThat(reconnect.retry()).isNotNull();
                assertThat(sse.open()).isFalse();
            }
            assertThat(Files.readString(log)).contains("shutting down").contains("stopped").doesNotContain("halting");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserve's log:\n" + (Files.exists(log) ? Files.readString(log) : ""), e);
        } finally {
            process.destroyForcibly();
            http.close();
        }
    }
}
