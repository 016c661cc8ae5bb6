package dev.switchboard.socketio;

import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The server the official Socket.IO protocol compliance suite expects
 * ({@code conformance/socket.io-protocol/README.md}): pingInterval 300 ms, pingTimeout 200 ms,
 * maxPayload 1000000, connect timeout 1000 ms, CORS origin *, the main namespace emits
 * {@code auth} on connection and echoes {@code message} / {@code message-with-ack}, {@code /custom}
 * emits {@code auth}, other namespaces are refused.
 *
 * <p>Run: {@code java ... dev.switchboard.socketio.ConformanceFixture [port]} (default 3000).
 */
public final class ConformanceFixture implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private ConformanceFixture(int port) throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        SocketIoServer io = SocketIoServer.builder()
                .pingInterval(Duration.ofMillis(300))
                .pingTimeout(Duration.ofMillis(200))
                .maxPayload(1_000_000)
                .connectTimeout(Duration.ofMillis(1000))
                .allowedOrigins(List.of("*"))
                .build();
        io.of("/").onConnect((socket, auth, recovery) -> {
            socket.emit("auth", auth);
            socket.on("message", (args, ack) -> socket.emit("message-back", args.toArray()));
            socket.on("message-with-ack", (args, ack) -> ack.send(args.toArray()));
            return Namespace.Admission.accept();
        });
        io.of("/custom").onConnect((socket, auth, recovery) -> {
            socket.emit("auth", auth);
            return Namespace.Admission.accept();
        });
        server.setHandler(io);
        server.start();
    }

    /** Starts the fixture on 127.0.0.1 ({@code port} 0 picks a free one). */
    public static ConformanceFixture start(int port) throws Exception {
        return new ConformanceFixture(port);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the fixture", e);
        }
    }

    public static void main(String[] args) throws Exception {
        ConformanceFixture fixture = start(args.length > 0 ? Integer.parseInt(args[0]) : 3000);
        System.out.println("Socket.IO conformance fixture on http://127.0.0.1:" + fixture.port());
        fixture.server.join();
    }
}
