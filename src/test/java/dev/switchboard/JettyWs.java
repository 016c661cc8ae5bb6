package dev.switchboard;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The tests' WebSocket client: Jetty's, started once, on daemon threads. Not the JDK's
 * ({@code java.net.http.WebSocket}): it mis-reads a first frame that arrives in the same read
 * as the 101 response (a resumed stream's opening can be written at once), then fails the
 * connection with "Invalid UTF-8 in frame TEXT" although the server's bytes are valid.
 */
public final class JettyWs {
    private static final WebSocketClient CLIENT = start();

    private JettyWs() {}

    /**
     * What a test does with a connection's messages, close and failure. Public, as Jetty calls a
     * listener's methods through a public lookup (an anonymous class of a test is not reachable).
     */
    public static final class Listener implements Session.Listener.AutoDemanding {
        private final Consumer<String> text;
        private final BiConsumer<Integer, String> close;
        private final Consumer<Throwable> error;

        public Listener(Consumer<String> text, BiConsumer<Integer, String> close, Consumer<Throwable> error) {
            this.text = text;
            this.close = close;
            this.error = error;
        }

        @Override
        public void onWebSocketText(String message) {
            text.accept(message);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            close.accept(statusCode, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            error.accept(cause);
        }
    }

    /** The shared, started client. */
    public static WebSocketClient client() {
        return CLIENT;
    }

    private static WebSocketClient start() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("test-ws-client");
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        WebSocketClient client = new WebSocketClient(http);
        client.setMaxTextMessageSize(64L * 1024 * 1024); // whole dashboards (the default is 64 KiB)
        client.setIdleTimeout(java.time.Duration.ofMinutes(5)); // tests decide how long to wait, not the client
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return client;
    }
}
