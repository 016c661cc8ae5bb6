package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.fail;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * NATS with JetStream for tests: the machine's server ({@link #shared()}, which {@code .ci/run}
 * starts; {@code SWITCHBOARD_NATS_URL} overrides it), where each test uses a stream of its own, or
 * a private {@code nats-server} on a free port with its own store folder ({@link #start}), which a
 * fault test may kill and restart. When NATS is missing the test fails if {@code CI} is set and is
 * skipped otherwise.
 */
public final class NatsTestServer implements AutoCloseable {
    static final String SHARED = System.getenv().getOrDefault("SWITCHBOARD_NATS_URL", "nats://127.0.0.1:4222");
    /** Debian's nats-server, or the first on the PATH. */
    static final String BINARY = Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server"
            : java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                    .map(d -> Path.of(d, "nats-server")).filter(Files::isExecutable).map(Path::toString).findFirst().orElse("nats-server");

    private final int port;
    private final Path store;
    private final Path log;
    private Process process;

    private NatsTestServer(int port, Path dir) throws IOException {
        this.port = port;
        this.store = Files.createDirectories(dir.resolve("jetstream"));
        this.log = dir.resolve("nats-server.log");
    }

    /** The machine's NATS URL, once it answers. */
    public static String shared() {
        String hostPort = SHARED.replaceFirst("^nats://", "");
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))) {
            return SHARED;
        } catch (IOException e) {
            missing("NATS is not reachable at " + SHARED + " (.ci/run starts it: nats-server -js): " + e.getMessage());
            return SHARED;
        }
    }

    /** A stream name no other test uses. */
    public static String streamName(String prefix) {
        return ("t_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    }

    /** Deletes {@code stream} on the server at {@code url} if it is there. */
    public static void deleteStream(String url, String stream) throws IOException, InterruptedException {
        try (Connection c = Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build())) {
            c.jetStreamManagement().deleteStream(stream);
        } catch (JetStreamApiException e) {
            // not there
        }
    }

    /** The message ids (change positions) of every message in {@code stream}, in stream order. */
    public static List<String> messageIds(String url, String stream) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build())) {
            long n = c.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
            if (n == 0) {
                return out;
            }
            var consumer = c.getStreamContext(stream).createOrderedConsumer(new io.nats.client.api.OrderedConsumerConfiguration());
            try (io.nats.client.IterableConsumer it = consumer.iterate()) {
                while (out.size() < n) {
                    io.nats.client.Message m = it.nextMessage(Duration.ofSeconds(5));
                    if (m == null) {
                        throw new IllegalStateException("stream " + stream + " delivered " + out.size() + " of " + n + " messages");
                    }
                    out.add(m.getHeaders().getFirst("Nats-Msg-Id"));
                }
            }
        }
        return out;
    }

    /** Starts a private server on a free port, storing JetStream data under {@code dir}. */
    public static NatsTestServer start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            missing("nats-server is not installed (.ci/run installs it)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NatsTestServer server = new NatsTestServer(port, dir);
        server.launch();
        return server;
    }

    private static void missing(String message) {
        if (System.getenv("CI") != null) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of(BINARY, "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd", store.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("nats-server did not start:\n" + Files.readString(log));
                }
                Thread.sleep(20);
            }
        }
    }

    /** SIGKILL: the server dies without flushing; clients see their connections drop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the server again on the same port with the same JetStream store. */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
