package dev.switchboard.socketio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Runs the real npm {@code socket.io-client} from Node: the scripts and their pinned
 * dependencies live in {@code src/test/node/socketio}; they are copied to
 * {@code target/node-socketio} and installed there with {@code npm ci} on first use.
 */
public final class NodeClient {
    private static final Path SOURCE = Path.of("src/test/node/socketio");
    private static final Path WORK = Path.of("target/node-socketio");

    private NodeClient() {
    }

    /** Runs {@code node <script> <args...>} and parses its one line of JSON output. */
    public static JsonNode run(String script, List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        install();
        List<String> command = new java.util.ArrayList<>(List.of("node", script));
        command.addAll(args);
        Path log = Files.createTempFile("node-client", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("node " + script + " " + args + " did not finish within " + timeoutSeconds + " s: "
                        + Files.readString(log));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).strip();
            String last = out.substring(out.lastIndexOf('\n') + 1);
            try {
                return Packet.JSON.readTree(last);
            } catch (RuntimeException e) {
                throw new AssertionError("node " + script + " printed no JSON: " + out, e);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The folder where the pinned npm packages are installed (installing them first if needed). */
    public static Path installed() throws IOException, InterruptedException {
        install();
        return WORK.toAbsolutePath();
    }

    private static synchronized void install() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        boolean lockChanged = !Files.exists(WORK.resolve("package-lock.json"))
                || Files.mismatch(SOURCE.resolve("package-lock.json"), WORK.resolve("package-lock.json")) >= 0;
        try (var files = Files.list(SOURCE)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, WORK.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (lockChanged || !Files.isDirectory(WORK.resolve("node_modules/socket.io-client"))) {
            // not inheritIO: the output would corrupt surefire's channel to the forked JVM
            Path log = WORK.resolve("npm-ci.log");
            Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError("npm ci in " + WORK + " failed (Node 18+ and npm are needed for the Socket.IO client tests): "
                        + Files.readString(log));
            }
        }
    }
}
