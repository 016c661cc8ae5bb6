package dev.switchboard.limits;

import java.time.Duration;
import java.util.Map;

/**
 * Every abuse limit of one server, immutable and validated once. Each default is documented next
 * to its component and in docs/SECURITY.md; {@link #fromEnvironment} reads overrides from
 * {@code SWITCHBOARD_*} variables (the names are in {@link #fromEnvironment}).
 *
 * @param minBodyRate slowest accepted request body, in bytes per second, measured from the first
 *     read; a slower upload is cut with 408. 0 turns it off. The default is 1024
 * @param bodyIdle longest pause inside a request body before it is cut with 408. The default is 10 s
 * @param requestsPerIp most requests of one client address being handled at once (streams and
 *     health are not counted here); more get 429. The default is 64
 * @param maxRowBytes largest row accepted by ingest, as JSON, since every row is fanned out to
 *     every subscriber; a larger one gets 413. The default is 64 KiB
 * @param maxTokenLifetime longest accepted token lifetime ({@code exp} minus {@code iat}, or minus
 *     now without {@code iat}). The default is 24 hours
 * @param streamsPerIp open streams of one client address (an office behind one NAT address has
 *     many browsers). The default is 500
 * @param streamsPerSubject open streams of one token subject (per tenant). The default is 20
 * @param streamsPerTenant open streams of one tenant. The default is 2000
 * @param ratePerIp requests per second of one client address (a token bucket holding two
 *     seconds' worth); 0 turns it off. The default is 1000
 * @param ratePerSubject requests per second of one token subject (per tenant). The default is 200
 * @param ratePerTenant requests per second of one tenant. The default is 2000
 * @param connectionsPerIp open TCP connections of one client address (streams, keep-alive and
 *     half-sent requests alike); one more is closed as soon as it is accepted, so a client that
 *     trickles request heads cannot hold the node's connections. The default is 1000
 * @param rowsPerSubject rows per second one token subject (or API key; the tenant without a
 *     subject) may send to ingest, valid or not (a token bucket holding two seconds' worth), so
 *     that large batches refused at their last row still cost their sender; 0 turns it off. The
 *     default is 20,000
 * @param streamOpensPerIp streams one client address may open per second (a token bucket holding
 *     two seconds' worth; a reconnect storm behind one address gets 429 with {@code Retry-After}
 *     and spreads out); 0 turns it off. The default is 100
 */
public record Limits(long minBodyRate, Duration bodyIdle, int requestsPerIp, int maxRowBytes, Duration maxTokenLifetime,
                     int streamsPerIp, int streamsPerSubject, int streamsPerTenant,
                     int ratePerIp, int ratePerSubject, int ratePerTenant, int connectionsPerIp,
                     int rowsPerSubject, int streamOpensPerIp) {

    /** The environment variables {@link #fromEnvironment} reads. */
    public static final java.util.List<String> VARIABLES = java.util.List.of("SWITCHBOARD_MIN_BODY_RATE", "SWITCHBOARD_BODY_IDLE_MS",
            "SWITCHBOARD_REQUESTS_PER_IP", "SWITCHBOARD_MAX_ROW_BYTES", "SWITCHBOARD_MAX_TOKEN_LIFETIME_S", "SWITCHBOARD_STREAMS_PER_IP",
            "SWITCHBOARD_STREAMS_PER_SUBJECT", "SWITCHBOARD_STREAMS_PER_TENANT", "SWITCHBOARD_RATE_PER_IP", "SWITCHBOARD_RATE_PER_SUBJECT",
            "SWITCHBOARD_RATE_PER_TENANT", "SWITCHBOARD_CONNECTIONS_PER_IP", "SWITCHBOARD_ROWS_PER_SUBJECT",
            "SWITCHBOARD_STREAM_OPENS_PER_IP");

    /** The defaults. */
    public static final Limits DEFAULTS = new Limits(1024, Duration.ofSeconds(10), 64, 64 * 1024, Duration.ofHours(24),
            500, 20, 2000, 1000, 200, 2000, 1000, 20_000, 100);

    public Limits {
        atLeast("SWITCHBOARD_MIN_BODY_RATE", minBodyRate, 0);
        atLeast("SWITCHBOARD_BODY_IDLE_MS", bodyIdle.toMillis(), 1);
        atLeast("SWITCHBOARD_REQUESTS_PER_IP", requestsPerIp, 1);
        atLeast("SWITCHBOARD_MAX_ROW_BYTES", maxRowBytes, 256);
        atLeast("SWITCHBOARD_MAX_TOKEN_LIFETIME_S", maxTokenLifetime.toSeconds(), 1);
        atLeast("SWITCHBOARD_STREAMS_PER_IP", streamsPerIp, 1);
        atLeast("SWITCHBOARD_STREAMS_PER_SUBJECT", streamsPerSubject, 1);
        atLeast("SWITCHBOARD_STREAMS_PER_TENANT", streamsPerTenant, 1);
        atLeast("SWITCHBOARD_RATE_PER_IP", ratePerIp, 0);
        atLeast("SWITCHBOARD_RATE_PER_SUBJECT", ratePerSubject, 0);
        atLeast("SWITCHBOARD_RATE_PER_TENANT", ratePerTenant, 0);
        atLeast("SWITCHBOARD_CONNECTIONS_PER_IP", connectionsPerIp, 1);
        atLeast("SWITCHBOARD_ROWS_PER_SUBJECT", rowsPerSubject, 0);
        atLeast("SWITCHBOARD_STREAM_OPENS_PER_IP", streamOpensPerIp, 0);
    }

    /**
     * The defaults overridden by environment variables: {@code SWITCHBOARD_MIN_BODY_RATE},
     * {@code SWITCHBOARD_BODY_IDLE_MS}, {@code SWITCHBOARD_REQUESTS_PER_IP},
     * {@code SWITCHBOARD_MAX_ROW_BYTES}, {@code SWITCHBOARD_MAX_TOKEN_LIFETIME_S},
     * {@code SWITCHBOARD_STREAMS_PER_IP}, {@code SWITCHBOARD_STREAMS_PER_SUBJECT},
     * {@code SWITCHBOARD_STREAMS_PER_TENANT}, {@code SWITCHBOARD_RATE_PER_IP},
     * {@code SWITCHBOARD_RATE_PER_SUBJECT}, {@code SWITCHBOARD_RATE_PER_TENANT},
     * {@code SWITCHBOARD_CONNECTIONS_PER_IP}, {@code SWITCHBOARD_ROWS_PER_SUBJECT},
     * {@code SWITCHBOARD_STREAM_OPENS_PER_IP}.
     */
    public static Limits fromEnvironment(Map<String, String> env) {
        Limits d = DEFAULTS;
        return new Limits(
                number(env, "SWITCHBOARD_MIN_BODY_RATE", d.minBodyRate()),
                Duration.ofMillis(number(env, "SWITCHBOARD_BODY_IDLE_MS", d.bodyIdle().toMillis())),
                (int) number(env, "SWITCHBOARD_REQUESTS_PER_IP", d.requestsPerIp()),
                (int) number(env, "SWITCHBOARD_MAX_ROW_BYTES", d.maxRowBytes()),
                Duration.ofSeconds(number(env, "SWITCHBOARD_MAX_TOKEN_LIFETIME_S", d.maxTokenLifetime().toSeconds())),
                (int) number(env, "SWITCHBOARD_STREAMS_PER_IP", d.streamsPerIp()),
                (int) number(env, "SWITCHBOARD_STREAMS_PER_SUBJECT", d.streamsPerSubject()),
                (int) number(env, "SWITCHBOARD_STREAMS_PER_TENANT", d.streamsPerTenant()),
                (int) number(env, "SWITCHBOARD_RATE_PER_IP", d.ratePerIp()),
                (int) number(env, "SWITCHBOARD_RATE_PER_SUBJECT", d.ratePerSubject()),
                (int) number(env, "SWITCHBOARD_RATE_PER_TENANT", d.ratePerTenant()),
                (int) number(env, "SWITCHBOARD_CONNECTIONS_PER_IP", d.connectionsPerIp()),
                (int) number(env, "SWITCHBOARD_ROWS_PER_SUBJECT", d.rowsPerSubject()),
                (int) number(env, "SWITCHBOARD_STREAM_OPENS_PER_IP", d.streamOpensPerIp()));
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number up to " + Integer.MAX_VALUE + ", was '" + v + "'");
        }
    }
}
