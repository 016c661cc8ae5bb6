package dev.switchboard.http;

import dev.switchboard.auth.Access;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.hub.Hub;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.store.Store;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Jetty server: one connector, the API handler, nothing else. */
public final class HttpServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final Sessions sessions = new Sessions();

    public HttpServer(String host, int port, Store store, DatasetCatalog catalog, LiveEngine engine, Hub hub, ChangeFeed feed,
                      Access access, Supplier<Map<String, Object>> health, Supplier<Map<String, Object>> demo,
                      Supplier<String> metrics) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setOutputBufferSize(4096);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setReusePort(true);
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        server.setHandler(new Api(store, catalog, engine, hub, feed, access, sessions, health, demo, metrics));
        server.setStopTimeout(2000);
    }

    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP server on port " + connector.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost() == null ? "127.0.0.1" : connector.getHost(), port());
    }

    public Sessions sessions() {
        return sessions;
    }

    @Override
    public void close() {
        sessions.closeAll();
        try {
            server.stop();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
