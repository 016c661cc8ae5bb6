package dev.switchboard.bench.fanout;

import dev.switchboard.change.Times;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The paced writer: posts new {@code call_logs} rows at a fixed rate to one system, over one
 * keep-alive HTTP/1.1 connection, each row stamped with its sequence number and the
 * {@code System.nanoTime()} taken just before the POST (see {@link Marker}). At most
 * {@code postsPerSecond} requests per second; above that a request carries several rows (all
 * stamped with the time of that call), and a writer that fell behind catches up with larger
 * batches, so the rate holds on average.
 */
final class Writer {
    private static final int MAX_ROWS = 5000;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final double postsPerSecond;
    private long next = 1;

    Writer(double postsPerSecond) {
        if (postsPerSecond <= 0) {
            throw new IllegalArgumentException("posts per second must be positive, was " + postsPerSecond);
        }
        this.postsPerSecond = postsPerSecond;
    }

    /** What one paced run did: sequence numbers {@code [from, to)} were published. */
    record Result(long from, long to, long posts, long errors, String lastError, Histogram postMicros, long startNanos, long endNanos) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** Publishes at {@code rate} rows per second for {@code seconds}. */
    Result run(URI target, double rate, double seconds) throws InterruptedException {
        Histogram posts = new Histogram(60_000_000L, 3);
        long from = next;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long period = (long) (1e9 / Math.min(rate, postsPerSecond));
        long due = start;
        long count = 0;
        long errors = 0;
        String lastError = "";
        long published = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (now < due) {
                LockSupport.parkNanos(due - now);
                continue;
            }
            due += period;
            long owed = (long) Math.floor(rate * (now - start) / 1e9) + 1; // the first row goes at once
            int n = (int) Math.min(MAX_ROWS, Math.max(0, owed - published));
            if (n == 0) {
                continue;
            }
            long t0 = System.nanoTime();
            String body = rows(next, n, t0);
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                posts.recordValue(Math.min(60_000_000L, (System.nanoTime() - t0) / 1000));
                count++;
                if (r.statusCode() == 200) {
                    next += n;
                    published += n;
                } else {
                    errors++;
                    lastError = r.statusCode() + " " + r.body();
                }
            } catch (IOException e) {
                errors++;
                lastError = e.toString();
            }
        }
        return new Result(from, next, count, errors, lastError, posts, start, System.nanoTime());
    }

    /** The next sequence number to be written. */
    long next() {
        return next;
    }

    static String rows(long first, int n, long nanoTime) {
        String started = Times.format(Instant.now());
        StringBuilder sb = new StringBuilder(n * 160).append('[');
        for (int i = 0; i < n; i++) {
            long seq = first + i;
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":\"").append(Marker.id(seq, nanoTime)).append("\",\"status\":\"active\",\"started_at\":\"").append(started)
                    .append("\",\"direction\":\"inbound\",\"agent_config_id\":\"agent-").append(seq % 20)
                    .append("\",\"phone_number\":\"+1555").append(1_000_000 + seq % 1_000_000).append("\"}");
        }
        return sb.append(']').toString();
    }
}
