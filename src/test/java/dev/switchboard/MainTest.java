package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Settings a person gets wrong are answered with one line saying what to do, and exit code 2. */
class MainTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute(args)).isEqualTo(expectedExit);
        return err.toString();
    }

    @Test
    void serveWithoutSecret_saysHowToFixIt_noStackTrace() {
        // with a secret in the environment, serve would start and wait for Ctrl+C
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SWITCHBOARD_JWT_SECRET") == null);
        String err = run(2, "serve", "--port", "0", "--data-dir", dir.toString(), "--allow-origin", "");
        assertThat(err).startsWith("switchboard: serve needs authentication: set SWITCHBOARD_JWT_SECRET").doesNotContain("\tat ");
    }

    @Test
    void originWithPath_isRefused() {
        String err = run(2, "demo", "--port", "0", "--data-dir", dir.toString(), "--allow-origin", "https://app.example.com/x");
        assertThat(err).contains("allowed origin must be scheme://host[:port]").doesNotContain("\tat ");
    }

    @Test
    void badPort_isRefused() {
        assertThat(run(2, "demo", "--port", "70000", "--data-dir", dir.toString())).contains("port must be 0-65535");
    }
}
