package dev.switchboard.bench.fanout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the benchmark started: a server whose output goes to a log file, or a load generator
 * spoken to over its stdin/stdout. Closing it ends it (and a shutdown hook ends every child
 * if the benchmark itself is stopped).
 */
final class Child implements AutoCloseable {
    private static final List<Child> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Child::close)));
    }

    final String name;
    final Process process;
    final Path log;
    private final BufferedReader answers;
    private final PrintWriter commands;

    private Child(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        ALL.add(this);
    }

    /** Starts a server; its stdout and stderr go to {@code log}. Its stdin stays open until {@link #close}. */
    static Child server(String name, List<String> command, Path dir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // one address and one anonymous subject open every stream of a load test: lift the per-client
        // caps and rates (docs/SECURITY.md), as an operator would for a trusted load generator
        pb.environment().putAll(java.util.Map.of("SWITCHBOARD_STREAMS_PER_IP", "1000000", "SWITCHBOARD_STREAMS_PER_SUBJECT", "1000000",
                "SWITCHBOARD_STREAMS_PER_TENANT", "1000000", "SWITCHBOARD_RATE_PER_IP", "0", "SWITCHBOARD_RATE_PER_SUBJECT", "0",
                "SWITCHBOARD_RATE_PER_TENANT", "0", "SWITCHBOARD_REQUESTS_PER_IP", "100000", "SWITCHBOARD_CONNECTIONS_PER_IP", "1000000", "SWITCHBOARD_ROWS_PER_SUBJECT", "0",
                "SWITCHBOARD_STREAM_OPENS_PER_IP", "0"));
        return new Child(name, pb.start(), log);
    }

    /** Starts a process that answers commands on stdout; its stderr is the benchmark's. */
    static Child commanded(String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        return new Child(name, pb.start(), Path.of("-"));
    }

    long pid() {
        return process.pid();
    }

    /** Waits until the log shows a line matching {@code pattern}; returns its first group. */
    String await(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log));
                if (m.find()) {
                    return m.group(1);
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; its log " + log + " says:\n" + tail());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not start within " + timeout.toSeconds() + " s; its log " + log + " says:\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Sends a command without waiting for its answer; collect it with {@link #answer}. */
    synchronized void send(String command) {
        commands.println(command);
    }

    synchronized String answer() throws IOException {
        String a = answers.readLine();
        if (a == null || a.startsWith("error")) {
            throw new IllegalStateException(name + " failed: " + a);
        }
        return a;
    }

    @Override
    public void close() {
        ALL.remove(this);
        commands.close();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
