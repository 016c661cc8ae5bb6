package dev.switchboard.bench.abuse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The abusive clients of issue 12, each kind from its own loopback address (as distinct hosts
 * would), all running at once until the deadline. Each counts what it got in a {@link Tally}.
 * Numbers are those of the probes, scaled by {@code scale} (1.0: as reported). The bench
 * runs each kind in a process of its own ({@link #main}), so that one kind's threads cannot
 * starve another's.
 */
final class Attacks {
    /**
     * {@code port secret seconds scale oldPosition aheadPosition kind}: runs one kind of abusive
     * client for {@code seconds}, then prints each tally as {@code tally name|what|outcomes|maxHeld}.
     */
    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(Long.parseLong(args[2])).toNanos();
        Attacks a = new Attacks(Integer.parseInt(args[0]), new Tokens(args[1]), deadline, Double.parseDouble(args[3]));
        a.start(args[4], args[5], java.util.Set.of(args[6]));
        System.out.println("started");
        a.stop();
        for (Tally t : a.tallies) {
            System.out.println("tally " + t.name + "|" + t.what + "|" + t.outcomes() + "|" + t.maxHeld());
        }
        System.exit(0);
    }

    private final int port;
    private final Tokens tokens;
    private final long deadline;
    private final double scale;
    final List<Tally> tallies = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());

    Attacks(int port, Tokens tokens, long deadlineNanos, double scale) {
        this.port = port;
        this.tokens = tokens;
        this.deadline = deadlineNanos;
        this.scale = scale;
    }

    private int n(int count) {
        return Math.max(1, (int) Math.round(count * scale));
    }

    private boolean running() {
        return System.nanoTime() < deadline;
    }

    private Tally tally(String name, String what) {
        Tally t = new Tally(name, what);
        tallies.add(t);
        return t;
    }

    private void spawn(int count, Runnable r) {
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofVirtual().start(r));
        }
    }

    /** The kinds of abusive clients, by the names {@code --only} takes. */
    static final List<String> KINDS = List.of("slow-bodies", "resume-far-back", "missing-paths", "distinct-views", "resume-ahead",
            "non-reading", "one-token-streams", "slowloris", "snapshot-flood", "failing-batches");

    /**
     * Starts the abusive clients of the kinds in {@code only} (all when empty); {@code oldPosition}
     * is far back in tenant "abuse", {@code ahead} beyond the head.
     */
    void start(String oldPosition, String ahead, java.util.Set<String> only) {
        java.util.function.Predicate<String> on = k -> only.isEmpty() || only.contains(k);
        if (on.test("slow-bodies")) {
            slowBodies(n(250));
        }
        if (on.test("resume-far-back")) {
            resumeFromFarBack(n(40), oldPosition);
        }
        if (on.test("missing-paths")) {
            missingPaths(n(20_000));
        }
        if (on.test("distinct-views")) {
            distinctViews(n(8_000));
        }
        if (on.test("resume-ahead")) {
            aheadOfTheServer(n(300), ahead);
        }
        if (on.test("non-reading")) {
            nonReadingStreams(n(600), n(40_000));
        }
        if (on.test("one-token-streams")) {
            streamsOfOneToken(n(15_000));
        }
        if (on.test("slowloris")) {
            slowloris(n(3_000));
        }
        if (on.test("snapshot-flood")) {
            snapshotFlood(n(20_000));
        }
        if (on.test("failing-batches")) {
            failingBatches();
        }
    }

    /** Waits for the clients to stop (they stop at the deadline) and closes what they hold. */
    void stop() throws InterruptedException {
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
        synchronized (held) {
            held.forEach(Raw::closeQuietly);
        }
    }

    // 1. uploads that send their body a byte a second
    private void slowBodies(int clients) {
        Tally t = tally("slow bodies", clients + " uploads sending 1 byte/s (writer token)");
        String head = "POST /api/ingest/abuse/call_logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                + tokens.mint("abuse", "slow", "writer") + "\r\nContent-Length: 100000\r\n\r\n";
        spawn(clients, () -> {
            while (running()) {
                try (Socket s = Raw.connect("127.0.1.1", port, false)) {
                    t.opened();
                    try {
                        Raw.send(s, head);
                        while (running() && s.getInputStream().available() == 0) {
                            Raw.send(s, "[");
                            Thread.sleep(1000);
                        }
                        if (s.getInputStream().available() > 0) {
                            t.count(Raw.status(s).map(String::valueOf).orElse("closed"));
                        }
                    } finally {
                        t.closed();
                    }
                } catch (IOException e) {
                    t.count("cut by the server");
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    // 2. streams resuming from far back on a tenant with many changes, never reading
    private void resumeFromFarBack(int clients, String old) {
        Tally t = tally("resume from far back", clients + " streams with Last-Event-ID far back on a tenant with many changes, not reading");
        AtomicInteger i = new AtomicInteger();
        spawn(clients, () -> stuckStream(t, "127.0.1.2", "/api/events/abuse?datasets=call_logs", "resume-" + i.incrementAndGet(), old));
    }

    // 3. distinct missing static paths, no token
    private void missingPaths(int requests) {
        Tally t = tally("missing static paths", requests + " distinct missing /webjars/ and /ui/ paths of 6,000 characters, no token");
        HttpClient http = client("127.0.1.3");
        AtomicInteger sent = new AtomicInteger();
        spawn(8, () -> {
            while (running() && sent.incrementAndGet() <= requests) {
                String junk = randomPath(6000);
                String path = (ThreadLocalRandom.current().nextBoolean() ? "/webjars/" : "/ui/") + junk;
                t.count(send(http, HttpRequest.newBuilder(uri(path)).GET()));
            }
        });
    }

    // 4. a new view per request: distinct ?hours= and ?sub=
    private void distinctViews(int requests) {
        Tally t = tally("distinct views", requests + " snapshots with distinct ?hours= and ?sub= (one viewer token)");
        HttpClient http = client("127.0.1.4");
        String auth = "Bearer " + tokens.mint("abuse", "viewer-x", "viewer");
        AtomicInteger sent = new AtomicInteger();
        spawn(8, () -> {
            int k;
            while (running() && (k = sent.incrementAndGet()) <= requests) {
                String path = "/api/dashboards/calls/abuse?hours=" + (k % 168 + 1) + "&scope=agent&sub=agent-" + k;
                t.count(send(http, HttpRequest.newBuilder(uri(path)).header("Authorization", auth).GET()));
            }
        });
    }

    // 5. Last-Event-ID ahead of the server
    private void aheadOfTheServer(int clients, String ahead) {
        Tally t = tally("resume ahead of the server", clients + " streams at once with a Last-Event-ID beyond the head");
        AtomicInteger i = new AtomicInteger();
        spawn(clients, () -> {
            String token = tokens.mint("abuse", "ahead-" + i.incrementAndGet(), "viewer");
            while (running()) {
                long next = System.nanoTime() + 1_000_000_000L; // reconnects once a second, as a client's retry would
                try (Socket s = Raw.connect("127.0.1.5", port, false)) {
                    s.setSoTimeout(15_000);
                    long t0 = System.nanoTime();
                    Raw.send(s, Raw.get("/api/events/abuse?datasets=call_logs&access_token=" + token, "Last-Event-ID", ahead));
                    var status = Raw.status(s);
                    if (status.isPresent() && status.get() == 200) {
                        // the opening: a reset of the dataset (the position is unknown here)
                        byte[] buf = new byte[4096];
                        int n = s.getInputStream().read(buf);
                        String first = n > 0 ? new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) : "";
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        t.count(first.contains("reset") ? "200 reset " + (ms < 1000 ? "< 1 s" : ms < 6000 ? "1-6 s" : "> 6 s") : "200 other");
                    } else {
                        t.count(status.map(String::valueOf).orElse("closed"));
                    }
                } catch (IOException e) {
                    t.count("failed: " + e.getClass().getSimpleName());
                }
                sleepUntil(Math.min(next, deadline));
            }
        });
    }

    // 6. clients that stop reading while many changes are pushed
    private void nonReadingStreams(int clients, int changes) {
        Tally t = tally("non-reading streams", clients + " streams (distinct subjects, one address) that stop reading while "
                + String.format("%,d", changes) + " changes are pushed");
        AtomicInteger i = new AtomicInteger();
        spawn(clients, () -> stuckStream(t, "127.0.1.6", "/api/events/abuse?dashboards=calls&datasets=call_logs",
                "stuck-" + i.incrementAndGet(), ""));
        Tally w = tally("push to non-readers", "the writer pushing those changes in 500-row batches");
        HttpClient http = client("127.0.1.6");
        String auth = "Bearer " + tokens.mint("abuse", "pusher", "writer");
        spawn(1, () -> {
            int batches = Math.max(1, changes / 500);
            long span = deadline - System.nanoTime();
            for (int b = 0; b < batches && running(); b++) {
                StringBuilder body = new StringBuilder("[");
                for (int r = 0; r < 500; r++) {
                    body.append(r == 0 ? "" : ",").append(Rows.call("push-" + (b % 40) + "-" + r, r % 3 == 0 ? "active" : "ended"));
                }
                w.count(send(http, HttpRequest.newBuilder(uri("/api/ingest/abuse/call_logs")).header("Authorization", auth)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.append("]").toString()))));
                sleepUntil(System.nanoTime() + span / batches);
            }
        });
    }

    // 7a. one token opening thousands of streams
    private void streamsOfOneToken(int attempts) {
        Tally t = tally("streams of one token", String.format("%,d", attempts) + " stream openings with one token");
        String token = tokens.mint("abuse", "greedy", "viewer");
        AtomicInteger tried = new AtomicInteger();
        spawn(50, () -> {
            while (running() && tried.incrementAndGet() <= attempts) {
                try {
                    Socket s = Raw.connect("127.0.1.7", port, false);
                    s.setSoTimeout(15_000);
                    Raw.send(s, Raw.get("/api/events/abuse?dashboards=calls&access_token=" + token));
                    var status = Raw.status(s);
                    t.count(status.map(String::valueOf).orElse("closed"));
                    if (status.isPresent() && status.get() == 200) {
                        t.opened();
                        held.add(s); // kept open, not read
                    } else {
                        s.close();
                    }
                } catch (IOException e) {
                    t.count("failed: " + e.getClass().getSimpleName());
                }
            }
        });
    }

    // 7b. connections that send a request head a byte at a time
    private void slowloris(int connections) {
        Tally t = tally("slowloris", String.format("%,d", connections) + " connections sending their request head 1 byte per 10 s");
        spawn(connections, () -> {
            try (Socket s = Raw.connect("127.0.1.8", port, false)) {
                t.opened();
                try {
                    Raw.send(s, "GET /api/dashboards HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                    while (running()) {
                        Raw.send(s, "X");
                        Thread.sleep(Math.max(1, Math.min(10_000, (deadline - System.nanoTime()) / 1_000_000)));
                    }
                    t.count("held to the end");
                } finally {
                    t.closed();
                }
            } catch (IOException e) {
                t.count("closed by the server");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    // 7c. snapshot requests as fast as possible
    private void snapshotFlood(int requests) {
        Tally t = tally("snapshot flood", String.format("%,d", requests) + " snapshot requests as fast as they go (one token)");
        HttpClient http = client("127.0.1.9");
        String auth = "Bearer " + tokens.mint("abuse", "flood", "viewer");
        AtomicInteger sent = new AtomicInteger();
        spawn(16, () -> {
            while (running() && sent.incrementAndGet() <= requests) {
                t.count(send(http, HttpRequest.newBuilder(uri("/api/dashboards/calls/abuse")).header("Authorization", auth).GET()));
            }
        });
    }

    // 8. 5,000-row batches that fail at the last row
    private void failingBatches() {
        Tally t = tally("failing batches", "5,000-row batches failing at their last row, 4 at a time (writer token)");
        HttpClient http = client("127.0.1.10");
        String auth = "Bearer " + tokens.mint("abuse", "noisy", "writer");
        StringBuilder body = new StringBuilder("[");
        for (int r = 0; r < 4999; r++) {
            body.append(r == 0 ? "" : ",").append(Rows.call("noisy-" + r, "ended"));
        }
        String rows = body.append(",{\"id\":\"noisy-last\",\"status\":\"ended\",\"started_at\":\"2026-12-02T00:00:00Z\",\"duration\":\"long\"}]")
                .toString();
        spawn(4, () -> {
            while (running()) {
                t.count(send(http, HttpRequest.newBuilder(uri("/api/ingest/abuse/call_logs")).header("Authorization", auth)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(rows))));
            }
        });
    }

    /** A stream opened and then never read (a tiny receive buffer), held until the deadline. */
    private void stuckStream(Tally t, String from, String path, String subject, String lastEventId) {
        String token = tokens.mint("abuse", subject, "viewer");
        try {
            Socket s = Raw.connect(from, port, true);
            s.setSoTimeout(30_000);
            Raw.send(s, lastEventId.isEmpty() ? Raw.get(path + "&access_token=" + token)
                    : Raw.get(path + "&access_token=" + token, "Last-Event-ID", lastEventId));
            var status = Raw.status(s);
            t.count(status.map(String::valueOf).orElse("closed"));
            if (status.isPresent() && status.get() == 200) {
                t.opened();
                held.add(s);
            } else {
                s.close();
            }
        } catch (IOException e) {
            t.count("failed: " + e.getClass().getSimpleName());
        }
    }

    private HttpClient client(String from) {
        try {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getByName(from))
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String send(HttpClient http, HttpRequest.Builder request) {
        try {
            return String.valueOf(http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return "failed: " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String randomPath(int length) {
        StringBuilder b = new StringBuilder(length);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    private static void sleepUntil(long nanos) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
