package dev.switchboard;

import dev.switchboard.pg.Sse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A blocking view of a raw-socket SSE connection ({@link Sse} does the wire parsing): tests wait
 * for the next event matching a predicate, or drain what arrives.
 */
final class SseClient implements AutoCloseable {
    record Event(String id, String type, JsonNode data) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Sse sse;

    SseClient(int port, String path, String lastEventId) throws IOException {
        sse = new Sse(port, path, lastEventId, e -> events.add(new Event(e.id(), e.type(), TestServer.JSON.readTree(e.data()))));
    }

    /** The next event matching {@code p}, skipping others; fails after the timeout. */
    Event await(Predicate<Event> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                throw new AssertionError("no matching event within " + timeout);
            }
            if (p.test(e)) {
                return e;
            }
        }
    }

    /** Everything received so far and within {@code quiet} after it stops arriving. */
    List<Event> drain(Duration quiet) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            out.add(e);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        sse.close();
    }
}
