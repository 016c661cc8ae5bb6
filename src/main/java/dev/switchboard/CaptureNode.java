package dev.switchboard;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.Relay;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.store.postgres.PostgresStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A capture node ({@code serve --role capture}): captures from PostgreSQL as a node does (its own
 * slot, positions from the WAL) and, while it holds the database's capture lease, publishes every
 * change to the JetStream stream; otherwise it stands by, keeping what the stream does not have
 * yet so it can take over. It serves no dashboards: only {@code /api/health} (503 while capture
 * or publishing fails; a healthy standby is "ok") and {@code /metrics}.
 */
public final class CaptureNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureNode.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Config config;
    private final Clock clock;
    private final long started;
    private final PostgresStore store;
    private final Broker broker;
    private final Relay relay;
    private final Server http;
    private final ServerConnector connector;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private AutoCloseable processMetrics = () -> { };

    private CaptureNode(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.started = clock.millis();
        this.store = (PostgresStore) StoreFactory.postgres(config.database().orElseThrow(), config.node(), config.pgPoolSize());
        try {
            store.migrate(List.copyOf(PackResources.load().datasets().all()));
            this.broker = Switchboard.connectBroker(config, "switchboard capture " + config.node());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.relay = broker.relay(store.changes(), store::leadCapture, clock);
        store.holdUnacknowledged(relay::acknowledged);
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("http");
        this.http = new Server(threads);
        this.connector = new ServerConnector(http);
        connector.setHost(config.host());
        connector.setPort(config.port());
        http.addConnector(connector);
        http.setHandler(new Routes());
        registerMetrics();
    }

    /** Opens the store, connects to NATS, starts capture, the relay and the HTTP endpoints. */
    public static CaptureNode start(Config config, Clock clock) {
        CaptureNode node = new CaptureNode(config, clock);
        node.relay.start();
        try {
            node.http.start();
        } catch (Exception e) {
            node.close();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        LOG.info("capture node {} started; publishing to JetStream stream {} at {} when it holds the capture lease",
                config.node(), config.brokerStream(), node.broker.target());
        return node;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public Relay relay() {
        return relay;
    }

    private void registerMetrics() {
        FunctionCounter.builder("switchboard_broker_published", relay, Relay::published)
                .description("Changes this capture node published that the stream stored").register(metrics);
        FunctionCounter.builder("switchboard_broker_duplicates", relay, Relay::duplicates)
                .description("Changes this capture node published that the stream already held (dropped by message id)").register(metrics);
        FunctionCounter.builder("switchboard_broker_takeovers", relay, Relay::takeovers)
                .description("Times this node became the active capture").register(metrics);
        Gauge.builder("switchboard_broker_leading", relay, r -> r.leading() ? 1 : 0)
                .description("1 while this node is the active capture, 0 while it stands by").register(metrics);
        processMetrics = Metrics.bind(metrics, store);
    }

    Map<String, Object> health() {
        ChangeSource source = store.changes();
        List<String> problems = new ArrayList<>();
        source.problem().ifPresent(problems::add);
        relay.problem().ifPresent(problems::add);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", problems.isEmpty() ? "ok" : "degraded");
        if (!problems.isEmpty()) {
            h.put("problems", problems);
        }
        h.put("mode", "serve");
        h.put("role", "capture");
        h.put("capture", relay.leading() ? "active" : "standby");
        h.put("store", store.dialect().name());
        h.put("node", config.node());
        h.put("stream", config.brokerStream());
        h.put("position", source.head().toString());
        h.put("acknowledged", relay.acknowledged().toString());
        h.put("published", relay.published());
        h.put("duplicates", relay.duplicates());
        h.put("takeovers", relay.takeovers());
        h.put("uptime_seconds", (clock.millis() - started) / 1000);
        return h;
    }

    /** {@code /api/health} and {@code /metrics}; anything else is a JSON 404 naming them. */
    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            switch (path) {
                case "/api/health" -> {
                    Map<String, Object> h = health();
                    write(response, callback, "ok".equals(h.get("status")) ? 200 : 503, "application/json", JSON.writeValueAsBytes(h));
                }
                case "/metrics" -> write(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
                default -> write(response, callback, 404, "application/json", JSON.writeValueAsBytes(Map.of("status", 404,
                        "error", "a capture node serves only /api/health and /metrics; dashboards and streams are on the edge nodes")));
            }
            return true;
        }

        private void write(Response response, Callback callback, int status, String type, byte[] body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            LOG.warn("stopping HTTP failed: {}", e.toString());
        }
        relay.close();
        broker.close();
        store.close();
        try {
            processMetrics.close();
        } catch (Exception e) {
            LOG.warn("closing metrics failed: {}", e.toString());
        }
    }
}
