package dev.switchboard.bench.abuse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One honest client per tenant, from its own address: a browser watching the calls dashboard and
 * the call_logs dataset over SSE, and a backend posting one call at a time. The latency of a row
 * is from just before its POST is sent until its change event reaches the watcher: an upper bound
 * of commit to client. Runs in a process of its own ({@link #main}), so that the abusive clients'
 * threads cannot delay its measurements.
 */
final class Honest {
    static final String FROM = "127.0.0.2";
    private final int port;
    private final Tokens tokens;
    private final List<String> tenants;
    private final double rowsPerSecond;
    private final Map<String, Long> sent = new ConcurrentHashMap<>();
    final Histogram latencyMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    /** From the commit (the change's {@code commit_time}, the database's clock on this machine) to the watcher, in microseconds. */
    final Histogram commitMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    /** How long each POST took to be answered (the write, committed): the ingest part of the latency. */
    final Histogram postMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    final AtomicLong posted = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong postFailures = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;

    /**
     * {@code port secret seconds rowsPerSecond tenant,tenant,...}: prints {@code ready} once every
     * watcher has its snapshot, writes for {@code seconds}, waits up to 10 s for the last rows,
     * then prints one line of results and exits.
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Honest h = new Honest(port, new Tokens(args[1]), List.of(args[4].split(",")), Double.parseDouble(args[3]));
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[2])).toNanos();
        h.start(deadline, () -> System.out.println("ready"));
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long drain = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (h.missing() > 0 && System.nanoTime() < drain) {
            Thread.sleep(50);
        }
        h.stop();
        Histogram l = h.latencyMicros;
        Histogram p = h.postMicros;
        Histogram c = h.commitMicros;
        System.out.printf(java.util.Locale.ROOT, "result %d %d %d %d %d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.0f %.0f %.0f %.0f%n", h.posted.get(),
                h.received.get(), h.missing(), h.postFailures.get(), h.reconnects.get(), l.getValueAtPercentile(50) / 1000.0,
                l.getValueAtPercentile(90) / 1000.0, l.getValueAtPercentile(99) / 1000.0, l.getMaxValue() / 1000.0,
                p.getValueAtPercentile(50) / 1000.0, p.getValueAtPercentile(99) / 1000.0, p.getMaxValue() / 1000.0,
                c.getValueAtPercentile(50) / 1000.0, c.getValueAtPercentile(90) / 1000.0, c.getValueAtPercentile(99) / 1000.0,
                c.getMaxValue() / 1000.0);
        System.exit(0);
    }

    Honest(int port, Tokens tokens, List<String> tenants, double rowsPerSecond) {
        this.port = port;
        this.tokens = tokens;
        this.tenants = tenants;
        this.rowsPerSecond = rowsPerSecond;
    }

    /** Opens the watchers, waits until each has its snapshot, then starts the writers (which stop at {@code deadline}). */
    void start(long deadline, Runnable whenWatching) throws InterruptedException {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(tenants.size());
        for (String t : tenants) {
            threads.add(Thread.ofVirtual().start(() -> watch(t, ready)));
        }
        if (!ready.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the honest watchers did not get their snapshots within 60 s");
        }
        whenWatching.run();
        for (String t : tenants) {
            threads.add(Thread.ofVirtual().start(() -> write(t, deadline)));
        }
    }

    /** Rows posted but not (yet) received. */
    long missing() {
        return sent.size();
    }

    void stop() throws InterruptedException {
        stopping = true;
        synchronized (sockets) {
            sockets.forEach(Raw::closeQuietly);
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(10));
        }
    }

    private void watch(String tenant, java.util.concurrent.CountDownLatch ready) {
        String token = tokens.mint(tenant, "honest-viewer", "viewer");
        String last = "";
        boolean first = true;
        while (!stopping) {
            try (Socket s = Raw.connect(FROM, port, false)) {
                sockets.add(s);
                String path = "/api/events/" + tenant + "?dashboards=calls&datasets=call_logs&access_token=" + token;
                Raw.send(s, last.isEmpty() ? Raw.get(path) : Raw.get(path, "Last-Event-ID", last));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line;
                String event = "";
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("id:")) {
                        last = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                        if (first && event.equals("snapshot")) {
                            first = false;
                            ready.countDown();
                        }
                    } else if (line.startsWith("data:") && event.equals("change")) {
                        long now = System.nanoTime();
                        long wall = System.currentTimeMillis();
                        int ct = line.indexOf("\"commit_time\":\"");
                        if (ct >= 0) {
                            java.time.Instant committed = java.time.Instant.parse(line.substring(ct + 15, line.indexOf('"', ct + 15)));
                            commitMicros.recordValue(Math.max(0, wall - committed.toEpochMilli()) * 1000);
                        }
                        int at = line.indexOf("\"key\":\"");
                        if (at >= 0) {
                            String key = line.substring(at + 7, line.indexOf('"', at + 7));
                            Long t0 = sent.remove(key);
                            if (t0 != null) {
                                latencyMicros.recordValue(Math.max(0, (now - t0) / 1000));
                                received.incrementAndGet();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // reconnects below, resuming from the last id
            }
            if (!stopping) {
                reconnects.incrementAndGet();
            }
        }
    }

    private void write(String tenant, long deadline) {
        HttpClient http;
        try {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getByName(FROM)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String auth = "Bearer " + tokens.mint(tenant, "honest-writer", "writer");
        long period = (long) (1e9 / rowsPerSecond);
        long next = System.nanoTime();
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String key = tenant + "-" + i;
            long t0 = System.nanoTime();
            sent.put(key, t0);
            posted.incrementAndGet();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ingest/" + tenant + "/call_logs"))
                        .header("Authorization", auth).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(Rows.call(key, "active"))).build(), HttpResponse.BodyHandlers.discarding());
                postMicros.recordValue((System.nanoTime() - t0) / 1000);
                if (r.statusCode() != 200) {
                    postFailures.incrementAndGet();
                    sent.remove(key);
                }
            } catch (IOException e) {
                postFailures.incrementAndGet();
                sent.remove(key);
            } catch (InterruptedException e) {
                return;
            }
            next += period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
