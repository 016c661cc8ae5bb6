package dev.switchboard.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admits requests and streams per client address, per token subject (within its tenant) and per
 * tenant, under {@link Limits}: request rates are Bucket4j token buckets (refilled greedily at the
 * rate, holding two seconds' worth for bursts), open streams are counted. A refusal is a
 * {@link Rejection}, counted in the {@code switchboard_limit_rejections} metric tagged by limit.
 *
 * <p>Memory is bounded: a bucket that has refilled completely is equivalent to a new one and is
 * dropped when the table grows past {@value #SWEEP_AT} entries; stream counters exist only while
 * streams are open. Thread-safe.
 */
public final class Admission {
    static final int SWEEP_AT = 10_000;
    private final Limits limits;
    private final TimeMeter time;
    private final MeterRegistry metrics;
    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();
    private final Map<String, Integer> streams = new ConcurrentHashMap<>();

    public Admission(Limits limits, Clock clock, MeterRegistry metrics) {
        this.limits = limits;
        this.metrics = metrics;
        this.time = new TimeMeter() {
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000;
            }

            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** One request of a client address (before authentication). */
    public Optional<Rejection> tryRequest(String ip) {
        return take("rate_per_ip", "ip " + ip, limits.ratePerIp(), "requests per second from " + ip);
    }

    /** One authenticated request of {@code subject} of {@code tenant}. */
    public Optional<Rejection> tryRequest(String tenant, String subject) {
        if (!subject.isEmpty()) {
            Optional<Rejection> r = take("rate_per_subject", "sub " + tenant + "/" + subject, limits.ratePerSubject(),
                    "requests per second for " + subject + " of tenant " + tenant);
            if (r.isPresent()) {
                return r;
            }
        }
        return take("rate_per_tenant", "tenant " + tenant, limits.ratePerTenant(), "requests per second for tenant " + tenant);
    }

    /**
     * Opens a stream if the client address, the subject and the tenant are all under their stream
     * limits; on success the caller must call {@link #releaseStream} exactly once when it ends.
     */
    public Optional<Rejection> tryAcquireStream(String ip, String tenant, String subject) {
        // opening a stream costs far more than a request (registration, a replay or a snapshot):
        // a client reconnecting in a loop is held to its own rate of openings
        Optional<Rejection> rate = take("stream_opens_per_ip", "opens " + ip, limits.streamOpensPerIp(), "stream openings per second from " + ip);
        if (rate.isPresent()) {
            return rate;
        }
        String[] keys = {"ip " + ip, "tenant " + tenant, "sub " + tenant + "/" + subject};
        int[] caps = {limits.streamsPerIp(), limits.streamsPerTenant(), subject.isEmpty() ? Integer.MAX_VALUE : limits.streamsPerSubject()};
        String[] names = {"streams_per_ip", "streams_per_tenant", "streams_per_subject"};
        String[] whose = {"from " + ip, "for tenant " + tenant, "for " + subject + " of tenant " + tenant};
        for (int i = 0; i < keys.length; i++) {
            if (!increment(keys[i], caps[i])) {
                for (int j = 0; j < i; j++) {
                    decrement(keys[j]);
                }
                return Optional.of(reject(names[i], "too many open streams " + whose[i] + " (limit " + caps[i]
                        + "); close one (each browser tab holds one) or combine dashboards in one stream", Duration.ofSeconds(5)));
            }
        }
        return Optional.empty();
    }

    /** Ends a stream admitted by {@link #tryAcquireStream} with the same arguments. */
    /**
     * The release of a stream admitted by {@link #tryAcquireStream}: it gives the stream's slots back
     * the first time it runs and does nothing after, so every way a stream can end may call it.
     */
    public Runnable releaser(String ip, String tenant, String subject) {
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                releaseStream(ip, tenant, subject);
            }
        };
    }

    public void releaseStream(String ip, String tenant, String subject) {
        decrement("ip " + ip);
        decrement("tenant " + tenant);
        decrement("sub " + tenant + "/" + subject);
    }

    /**
     * Admits {@code rows} rows for ingest from {@code subject} of {@code tenant} (the tenant as a
     * whole when there is no subject), under the rows-per-second budget.
     */
    public Optional<Rejection> tryRows(String tenant, String subject, int rows) {
        String key = subject.isEmpty() ? "rows tenant " + tenant : "rows sub " + tenant + "/" + subject;
        return take("rows_per_subject", key, limits.rowsPerSubject(), rows,
                "rows per second for " + (subject.isEmpty() ? "tenant " + tenant : subject + " of tenant " + tenant));
    }

    /**
     * Accepts one more TCP connection of a client address if it holds fewer than the limit; on
     * success the caller calls {@link #closeConnection} once when it closes.
     */
    public Optional<Rejection> tryOpenConnection(String ip) {
        if (increment("conn " + ip, limits.connectionsPerIp())) {
            return Optional.empty();
        }
        return Optional.of(reject("connections_per_ip", "too many open connections from " + ip + " (limit " + limits.connectionsPerIp() + ")",
                Duration.ofSeconds(5)));
    }

    /** A connection admitted by {@link #tryOpenConnection} closed. */
    public void closeConnection(String ip) {
        decrement("conn " + ip);
    }

    /** Open streams counted for a client address, tenant or subject key (for tests). */
    int openStreams(String key) {
        return streams.getOrDefault(key, 0);
    }

    int buckets() {
        return buckets.size();
    }

    private boolean increment(String key, int cap) {
        boolean[] ok = {false};
        streams.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            ok[0] = now < cap;
            return ok[0] ? now + 1 : n;
        });
        return ok[0];
    }

    private void decrement(String key) {
        streams.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    private Optional<Rejection> take(String limit, String key, int perSecond, String what) {
        return take(limit, key, perSecond, 1, what);
    }

    private Optional<Rejection> take(String limit, String key, int perSecond, int tokens, String what) {
        if (perSecond <= 0) {
            return Optional.empty();
        }
        if (buckets.size() > SWEEP_AT) {
            sweep();
        }
        long capacity = 2L * perSecond;
        Limited limited = buckets.computeIfAbsent(key, k -> new Limited(Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .withCustomTimePrecision(time).build(), capacity));
        ConsumptionProbe probe = limited.bucket().tryConsumeAndReturnRemaining(Math.min(tokens, capacity));
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        return Optional.of(reject(limit, "too many " + what + " (limit " + perSecond + "/s, bursts of " + 2 * perSecond
                + "); slow down and retry after the Retry-After seconds", Duration.ofNanos(probe.getNanosToWaitForRefill())));
    }

    /** Drops buckets that are full again: they hold no state a new bucket would not. */
    private void sweep() {
        buckets.values().removeIf(l -> l.bucket().getAvailableTokens() >= l.capacity());
    }

    private record Limited(Bucket bucket, long capacity) {}

    private Rejection reject(String limit, String message, Duration retryAfter) {
        Counter.builder("switchboard_limit_rejections").description("Requests and streams refused by a limit (429)")
                .tag("limit", limit).register(metrics).increment();
        return new Rejection(limit, message, retryAfter);
    }
}
