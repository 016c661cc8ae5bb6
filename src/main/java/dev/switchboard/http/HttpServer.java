package dev.switchboard.http;

import dev.switchboard.auth.Access;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.keys.ApiKeys;
import dev.switchboard.limits.Admission;
import dev.switchboard.limits.Limits;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.push.Streams;
import dev.switchboard.store.Store;
import dev.switchboard.turns.Turns;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Jetty server: one connector, the API handler (and Socket.IO), gzip when the client accepts it. */
public final class HttpServer implements AutoCloseable {
    private final Turns work;
    private final Server server;
    private final ServerConnector connector;
    private final Sessions sessions;
    private final Api api;
    private final Draining draining;

    /**
     * Operator tunables of the HTTP server.
     *
     * @param maxThreads most worker threads; the default is 200
     * @param idleTimeout idle time after which a connection is closed; the default is 60 seconds
     * @param sendBuffer socket send buffer of each accepted connection, in bytes ({@code SO_SNDBUF},
     *        which the kernel doubles); 0 leaves the OS default, which Linux grows up to
     *        {@code net.ipv4.tcp_wmem}'s maximum (4 MiB). The default is {@link #SEND_BUFFER}
     * @param workPermits most CPU-heavy pieces of request work (parsing and checking ingested
     *        rows) run at once, handed to tenants in turn; 0 (the default) is one less than the
     *        cores, at least one ({@link #workTurns}), so that a flood of requests leaves a core
     *        to capture and delivery
     */
    public record Tuning(int maxThreads, Duration idleTimeout, int sendBuffer, int workPermits) {
        /**
         * The default send buffer, 128 KiB: plenty for a client that reads (a stream's writes are a
         * few KiB), while a client that stopped reading stalls after about 256 KiB instead of
         * megabytes, which the fan-out thread that writes to it would copy first, before the
         * streams it serves next.
         */
        public static final int SEND_BUFFER = 128 << 10;
        /** The defaults. */
        public static final Tuning DEFAULT = new Tuning(200, Duration.ofSeconds(60), SEND_BUFFER, 0);

        /** The work turns of {@link #workPermits} ({@code 0}: the cores less one, at least one). */
        public int workTurns() {
            return workPermits > 0 ? workPermits : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        }
    }

    /** A server with the default tuning and no request metrics. */
    public HttpServer(String host, int port, Store store, DatasetCatalog catalog, LiveEngine engine, Streams streams,
                      Access access, Supplier<Map<String, Object>> health, Supplier<Map<String, Object>> demo,
                      Supplier<String> metrics, List<String> allowedOrigins, Tuning tuning, MeterRegistry registry, Limits limits,
                      Admission admission, ApiKeys keys, Map<String, String> secrets) {
        QueuedThreadPool threads = new QueuedThreadPool(tuning.maxThreads(), Math.min(8, tuning.maxThreads()));
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
        connector.setIdleTimeout(tuning.idleTimeout().toMillis());
        if (tuning.sendBuffer() > 0) {
            connector.setAcceptedSendBufferSize(tuning.sendBuffer());
        }
        connector.addEventListener(new ConnectionsPerClient(admission));
        server.addConnector(connector);
        sessions = new Sessions(engine.clock());
        work = new Turns(tuning.workTurns());
        api = new Api(store, catalog, engine, streams, access, sessions, health, demo, metrics, limits, admission, keys, secrets, work);
        io.micrometer.core.instrument.Gauge.builder("switchboard_work_turns_waiting", work, Turns::waiting)
                .description("Requests waiting for a turn at the node's CPU-heavy request work (parsing and checking ingested rows)")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("switchboard_work_busy_refusals", api, Api::busyRefusals)
                .description("Requests refused with 503 because no work turn came free within 5 s").register(registry);
        Handler io = SocketIoStreams.create(api, streams, access, admission, sessions, allowedOrigins, api.router(), engine.clock());
        Handler routes = Gzip.wrap(new Handler.Sequence(io, allowedOrigins.isEmpty() ? api : cors(api, allowedOrigins)));
        // A slow body is cut by the data rate (and the body idle limit in Api); one client cannot
        // hold more than its share of requests in progress while it trickles bytes.
        Handler rate = limits.minBodyRate() > 0 ? new MinimumDataRateHandler(routes, limits.minBodyRate(), 0) : routes;
        Handler limited = new ClientConcurrency(rate, limits.requestsPerIp(), admission);
        draining = new Draining(access.isOpen() && isLoopback(host) ? new LoopbackHost(limited) : limited);
        server.setHandler(new RequestContext(new HttpMetrics(draining, registry)));
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(2000);
    }

    /**
     * Lets pages of the given origins call the API and open EventSource streams (CORS). Bearer
     * tokens travel in the Authorization header or {@code ?access_token=}, never in cookies, so
     * credentials are not allowed.
     */
    private static Handler cors(Handler api, List<String> origins) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(origins.stream().map(o -> o.equals("*") ? ".*" : Pattern.quote(o)).collect(Collectors.toSet()));
        cors.setAllowedMethods(Set.of("GET", "POST", "DELETE"));
        cors.setAllowedHeaders(Set.of("Content-Type", "Authorization", "Last-Event-ID", "If-None-Match"));
        cors.setExposedHeaders(Set.of("ETag", "X-Request-Id"));
        cors.setAllowCredentials(false);
        cors.setPreflightMaxAge(Duration.ofMinutes(10));
        cors.setHandler(api);
        return cors;
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP server on port " + connector.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** Where packs register their routes; before {@link #start}. */
    public Routes routes() {
        return api.routes();
    }

    /** The node's work turns: CPU-heavy request work runs in one ({@link Tuning#workPermits}). */
    public Turns workTurns() {
        return work;
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

    /**
     * The first part of a graceful stop: new requests are refused (503, {@link Draining}), the
     * listening socket is closed (new connections are refused, so clients and load balancers go
     * to another node), every stream is told to reconnect elsewhere with its position after what
     * is queued for it ({@link Sessions#reconnectElsewhere}), and requests in progress (ingest
     * among them) are let finish. Returns true when every stream has ended and every request is
     * done, false when {@code within} ran out first; {@link #close} ends what remains.
     */
    public boolean drain(java.time.Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        draining.refuseNew();
        connector.close();
        sessions.reconnectElsewhere();
        while (draining.inFlight() > 0 || sessions.open() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /** Requests in progress (streams included), and streams still open: what {@link #drain} waits for. */
    public String inProgress() {
        return draining.inFlight() + " requests in progress, " + sessions.open() + " streams open";
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
