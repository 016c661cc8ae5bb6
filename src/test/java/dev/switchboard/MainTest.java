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
    void unreachableDatabase_isOneLine_namingHostDatabaseAndUser_neverThePassword() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String err = run(2, "serve", "--port", "0", "--insecure-open-access", "--data-dir", dir.toString(),
                "--database", "postgres://sb:s3cr%40t@127.0.0.1:" + closed + "/board");
        assertThat(err.strip()).startsWith("switchboard: cannot connect to PostgreSQL at 127.0.0.1:" + closed + ", database board, user sb:")
                .contains("refused").doesNotContain("s3cr").doesNotContain("\tat ").doesNotContain("\n");
    }

    @Test
    void badDatabaseUrl_isOneLine() {
        String err = run(2, "serve", "--port", "0", "--insecure-open-access", "--data-dir", dir.toString(),
                "--database", "postgres://sb:pw@db.example:54x2/board");
        assertThat(err.strip()).isEqualTo("switchboard: database (flag --database): database URL has an invalid port '54x2' "
                + "for host db.example (expected 1-65535)");
    }

    @Test
    void badPort_isRefused() {
        assertThat(run(2, "demo", "--port", "70000", "--data-dir", dir.toString())).contains("port (flag --port): must be 0-65535, was 70000");
    }

    @Test
    void everyCommandTheLauncherHandles_isListedByPicocliHelp() throws Exception {
        String launcher = java.nio.file.Files.readString(Path.of("switchboard"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  ([a-z]+)\\)$").matcher(launcher);
        java.util.List<String> commands = new java.util.ArrayList<>();
        while (m.find()) {
            commands.add(m.group(1));
        }
        assertThat(commands).as("the launcher's own commands").contains("test", "bench");
        assertThat(Main.commandLine().getSubcommands().keySet()).containsAll(commands).contains("demo", "serve", "help", "config");
    }
}
