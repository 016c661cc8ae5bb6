package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip negotiated by Accept-Encoding, with real clients: the JDK's HTTP client reading through a
 * GZIPInputStream, and curl --compressed. Events of a compressed stream arrive one by one while
 * the stream stays open (sync flush), and clients that do not ask for gzip get plain bytes.
 */
class GzipTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    Path dir;

    @Test
    void snapshot_isGzipped_onlyWhenAccepted_andConditionalRequestsStillWork() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var plain = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/dashboards/calls/t1")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            String json = new String(plain.body(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"widgets\"");

            var gz = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/dashboards/calls/t1"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gz.statusCode()).isEqualTo(200);
            assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
            assertThat(gz.headers().allValues("Vary").toString()).containsIgnoringCase("Accept-Encoding");
            String unzipped = new String(new GZIPInputStream(new java.io.ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(TestServer.JSON.readTree(unzipped)).isEqualTo(TestServer.JSON.readTree(json));
            assertThat(gz.body().length).isLessThan(plain.body().length);

            // the ETag a gzip client got still answers 304 when nothing changed
            String etag = gz.headers().firstValue("ETag").orElseThrow();
            var again = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/dashboards/calls/t1"))
                    .header("Accept-Encoding", "gzip").header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(again.statusCode()).isEqualTo(304);
        }
    }

    @Test
    void sseStream_withGzip_deliversEachEventLive_javaClient() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var response = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/events/t1?dashboards=calls&datasets=call_logs"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.headers().firstValue("Content-Encoding")).contains("gzip");
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                // read what inflates as it comes (a Reader would wait to fill its buffer: InflaterInputStream
                // reports bytes available until the end)
                try (var in = new GZIPInputStream(response.body(), 256)) {
                    var line = new java.io.ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines.add(line.toString(StandardCharsets.UTF_8));
                                line.reset();
                            } else {
                                line.write(buf[i]);
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    lines.add("closed: " + e);
                }
            });
            try {
                awaitLine(lines, "event: snapshot");
                // one change at a time: each must come out of the decompressor before the next is made
                for (int i = 0; i < 5; i++) {
                    var r = server.post("/api/ingest/t1/call_logs", SseWireTest.call("gz" + i, "active", null, 0));
                    assertThat(r.statusCode()).isEqualTo(200);
                    String position = TestServer.json(r).path("position").asString();
                    awaitLine(lines, "id: " + position);
                    assertThat(awaitLine(lines, "data: ")).contains("\"gz" + i + "\"");
                }
            } finally {
                reader.interrupt();
                response.body().close();
            }
        }
    }

    @Test
    void sseStream_curlCompressed_deliversLive_andPlainCurlGetsPlainBytes() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String url = server.base() + "/api/events/t1?dashboards=calls&datasets=call_logs";
            for (boolean compressed : new boolean[] {true, false}) {
                var cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-s", "-N", "-D", "-", "--max-time", "30"));
                if (compressed) {
                    cmd.add("--compressed");
                }
                cmd.add(url);
                Process curl = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> {
                    try (var in = new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            lines.add(line);
                        }
                    } catch (java.io.IOException ignored) {
                        // the process was ended
                    }
                });
                try {
                    String encoding = compressed ? "content-encoding: gzip" : "content-type: text/event-stream";
                    awaitLine(lines, encoding);
                    awaitLine(lines, "event: snapshot");
                    String id = (compressed ? "cz" : "cp");
                    var r = server.post("/api/ingest/t1/call_logs", SseWireTest.call(id, "active", null, 0));
                    awaitLine(lines, "id: " + TestServer.json(r).path("position").asString());
                    assertThat(awaitLine(lines, "data: ")).contains("\"" + id + "\"");
                } finally {
                    curl.destroy();
                    curl.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The next line starting with {@code prefix} (case-insensitive), skipping others; fails after {@link #WAIT}. */
    static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + WAIT);
            }
            if (line.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return line;
            }
        }
    }
}
