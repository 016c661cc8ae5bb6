package dev.switchboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Posts alerts to an operator's URL: one JSON POST per alert that fires or resolves, signed with
 * HMAC-SHA256 when a secret is set, retried up to 3 times (1 s, 2 s, 4 s) on a failure or a non-2xx
 * answer. Never blocks the caller (the engine's owner thread); at most {@link #MAX_IN_FLIGHT} posts
 * wait, further alerts are dropped with a warning.
 */
final class AlertWebhook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int MAX_IN_FLIGHT = 1000;
    static final int ATTEMPTS = 4;

    private final URI url;
    private final Optional<String> secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService retries;
    private final AtomicInteger inFlight = new AtomicInteger();

    AlertWebhook(URI url, Optional<String> secret, ScheduledExecutorService retries) {
        this.url = url;
        this.secret = secret;
        this.retries = retries;
    }

    /** Queues {@code alert} for posting. Any thread; returns at once. */
    void send(Map<String, Object> alert) {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            LOG.warn("alert webhook backlog full ({} posts waiting): alert {} {} dropped", MAX_IN_FLIGHT, alert.get("id"), alert.get("state"));
            return;
        }
        byte[] body = JSON.writeValueAsBytes(alert);
        attempt(body, String.valueOf(alert.get("id")), 1);
    }

    private void attempt(byte[] body, String id, int n) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("User-Agent", "switchboard-alerts").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        secret.ifPresent(s -> b.header("X-Switchboard-Signature", "sha256=" + dev.switchboard.auth.Signatures.hmacSha256Hex(s, body)));
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e == null && r.statusCode() / 100 == 2) {
                inFlight.decrementAndGet();
                return;
            }
            String why = e != null ? e.toString() : "HTTP " + r.statusCode();
            if (n >= ATTEMPTS) {
                inFlight.decrementAndGet();
                LOG.warn("alert webhook gave up on {} after {} attempts: {}", id, n, why);
                return;
            }
            retries.schedule(() -> attempt(body, id, n + 1), 1L << (n - 1), TimeUnit.SECONDS);
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
