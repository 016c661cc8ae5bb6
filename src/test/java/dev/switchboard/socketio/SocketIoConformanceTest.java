package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
