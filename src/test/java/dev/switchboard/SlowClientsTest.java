package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.limits.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 1: uploads that send their body a byte at a time must not tie up the server.
 * One client gets a bounded number of requests in progress (429 beyond), a trickling body is cut
 * with 408, and health keeps answering at once meanwhile.
 */
class SlowClientsTest {
    static final int UPLOADS = 250;
    static final int PER_CLIENT = 8;
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir, true, Optional.empty(), Limits.fromEnvironment(Map.of("SWITCHBOARD_BODY_IDLE_MS", "2000", "SWITCHBOARD_REQUESTS_PER_IP", "" + PER_CLIENT, "SWITCHBOARD_RATE_PER_IP", "0")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One raw connection whose body trickles in; remembers the status line it got, if any. */
    static final class Trickle implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        final StringBuilder received = new StringBuilder();
        boolean closed;

        Trickle(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            out.write(("POST /api/ingest/t1/call_logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Sends one more byte and collects whatever answer arrived; false once the exchange is over. */
        boolean drip() {
            if (closed) {
                return false;
            }
            try {
                while (in.available() > 0) {
                    received.append((char) in.read());
                }
                if (!status().isEmpty()) {
                    closed = true;
                    return false;
                }
                out.write(' ');
                out.flush();
                return true;
            } catch (IOException e) {
                closed = true;
                return false;
            }
        }

        String status() {
            int eol = received.indexOf("\r\n");
            return eol < 0 ? "" : received.substring(9, 12);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void trickledUploads_areCappedPerClient_andCut_whileHealthAnswersAtOnce() throws Exception {
        List<Trickle> uploads = new ArrayList<>();
        AtomicBoolean dripping = new AtomicBoolean(true);
        try {
            for (int i = 0; i < UPLOADS; i++) {
                uploads.add(new Trickle(server.sb.port()));
            }
            Thread dripper = Thread.ofPlatform().start(() -> {
                while (dripping.get()) {
                    boolean any = false;
                    synchronized (uploads) {
                        for (Trickle t : uploads) {
                            any |= t.drip();
                        }
                    }
                    if (!any) {
                        return;
                    }
                    try {
                        Thread.sleep(100); // the pace of the abusive client, not a synchronization wait
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            // While uploads are held, health answers at once.
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                var health = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/api/health"))
                        .timeout(Duration.ofSeconds(3)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            }
            dripper.join(Duration.ofSeconds(30));
            assertThat(dripper.isAlive()).as("every trickled upload got an answer within 30 s").isFalse();
            Map<String, Integer> statuses = new TreeMap<>();
            synchronized (uploads) {
                uploads.forEach(t -> statuses.merge(t.status(), 1, Integer::sum));
                // Beyond the cap a request is refused at once; those read were cut for being slow.
                assertThat(statuses).as("%s", statuses).containsOnlyKeys("408", "429");
                assertThat(statuses.get("429")).isGreaterThan(UPLOADS / 2);
                String cut = uploads.stream().filter(t -> t.status().equals("408")).findFirst().orElseThrow().received.toString();
                assertThat(cut).contains("too slowly").contains("\"status\":408");
            }
            // Nothing was written, and a normal upload works again.
            var ok = server.post("/api/ingest/t1/call_logs", SseWireTest.call("c1", "active", null, 0));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(server.get("/api/dashboards/calls/t1")).path("widgets").path("total_calls").asLong()).isEqualTo(1);
        } finally {
            dripping.set(false);
            for (Trickle t : uploads) {
                t.close();
            }
        }
    }
}
