package dev.switchboard.limits;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Every abuse limit of one server, immutable and validated once. Each default is documented next
 * to its component and in docs/SECURITY.md; {@link #fromEnvironment} reads overrides from
 * {@code SWITCHBOARD_*} variables.
 *
 * @param minBodyRate slowest accepted request body, in bytes per second, measured from the first
 *     read; a slower upload is cut with 408. The default is 1024
 * @param bodyIdle longest pause inside a request body before it is cut with 408. The default is 10 s
 * @param requestsPerIp most requests of one client address being handled at once (streams are not
 *     counted here; they have their own limit); more get 429. The default is 64
 * @param maxRowBytes largest serialized row accepted by ingest, since every row is fanned out to
 *     every subscriber; a larger one gets 413. The default is 64 KiB
 */
public record Limits(long minBodyRate, Duration bodyIdle, int requestsPerIp, int maxRowBytes) {

    /** The defaults. */
    public static final Limits DEFAULTS = new Limits(1024, Duration.ofSeconds(10), 64, 64 * 1024);

    public Limits {
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("min body rate must be >= 0 bytes/s (0 turns it off), was " + minBodyRate);
        }
        if (bodyIdle.isNegative() || bodyIdle.isZero()) {
            throw new IllegalArgumentException("body idle timeout must be positive, was " + bodyIdle);
        }
        if (requestsPerIp < 1) {
            throw new IllegalArgumentException("requests per IP must be >= 1, was " + requestsPerIp);
        }
        if (maxRowBytes < 256) {
            throw new IllegalArgumentException("max row bytes must be >= 256, was " + maxRowBytes);
        }
    }

    /**
     * The defaults overridden by {@code SWITCHBOARD_MIN_BODY_RATE}, {@code SWITCHBOARD_BODY_IDLE_MS},
     * {@code SWITCHBOARD_REQUESTS_PER_IP} and {@code SWITCHBOARD_MAX_ROW_BYTES}.
     */
    public static Limits fromEnvironment(Map<String, String> env) {
        Function<String, String> get = env::get;
        Limits d = DEFAULTS;
        return new Limits(
                number(get, "SWITCHBOARD_MIN_BODY_RATE", d.minBodyRate()),
                Duration.ofMillis(number(get, "SWITCHBOARD_BODY_IDLE_MS", d.bodyIdle().toMillis())),
                (int) number(get, "SWITCHBOARD_REQUESTS_PER_IP", d.requestsPerIp()),
                (int) number(get, "SWITCHBOARD_MAX_ROW_BYTES", d.maxRowBytes()));
    }

    static long number(Function<String, String> env, String name, long fallback) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'");
        }
    }
}
