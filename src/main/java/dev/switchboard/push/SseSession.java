package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import dev.switchboard.hub.Subscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * One SSE connection. Events wait in a bounded queue and are written one at a time (Jetty allows
 * one outstanding write); a newer delta of the same dashboard replaces a queued one (latest value
 * wins); when the queue overflows it is dropped and the session resynchronizes from the last
 * position it wrote, so memory never grows with a paused client.
 */
public final class SseSession implements Subscriber {
    /** Queued events per connection before it is resynchronized. The default is 1024. */
    public static final int QUEUE = 1024;
    private static final ByteBuffer HEARTBEAT = ByteBuffer.wrap(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    static final AtomicLong OVERFLOWS = new AtomicLong();

    private final Response response;
    private final Callback done;
    private final Subscription subscription;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final Pump pump = new Pump();
    private final int capacity;
    private Optional<Position> lastWritten = Optional.empty();
    private boolean overflowed;
    /** Opening events still queued, allowed on top of the capacity. */
    private int allowance;
    /**
     * True while the opening events are being built: live events offered meanwhile wait in the
     * queue and nothing is written, so none can overtake the opening (the client would then
     * resume from after it, and miss it).
     */
    private boolean holding = true;
    private boolean closed;

    /** How many sessions overflowed their queue since start. */
    public static long overflows() {
        return OVERFLOWS.get();
    }

    public SseSession(Response response, Callback done, Subscription subscription, int capacity) {
        this.response = response;
        this.done = done;
        this.subscription = subscription;
        this.capacity = capacity;
    }

    /** Subscribes, then writes the opening events; the connection stays open until the client leaves. */
    public void open(Optional<Position> resume) {
        synchronized (this) {
            // until something is written, an overflow resumes from where the client said it was
            lastWritten = resume;
        }
        List<Event> opening = subscription.start(resume, this);
        synchronized (this) {
            // Live events may already be queued since registration; the opening ones go first.
            ArrayDeque<Object> live = new ArrayDeque<>(queue);
            queue.clear();
            queue.add(ByteBuffer.wrap("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8)));
            queue.addAll(opening);
            queue.addAll(live);
            opening(opening.size() + 1);
            holding = false;
        }
        pump.iterate();
    }

    /**
     * The opening events (a replay is at most a ring per topic) do not count against the queue
     * bound: otherwise a client resuming with more than {@code capacity} missed events would
     * overflow on the first live event and resynchronize for ever. The allowance shrinks as the
     * opening is written, so the bound is back to {@code capacity} once it is.
     */
    private void opening(int events) {
        allowance = events;
    }

    @Override
    public void offer(Event e) {
        synchronized (this) {
            if (closed || overflowed) {
                return;
            }
            if (e.type().equals("delta")) {
                queue.removeIf(q -> q instanceof Event old && old.type().equals("delta") && old.topic().equals(e.topic())
                        && (e.json().length > 0) && coalesces(old, e));
            }
            // while the opening is being built (registration to queueing, a few microseconds) an
            // overflow would start a second, concurrent resync; the events just wait
            if (!holding && queue.size() >= capacity + allowance) {
                overflowed = true;
                queue.clear();
                OVERFLOWS.incrementAndGet();
                Thread.ofVirtual().start(this::resync);
                return;
            }
            queue.add(e);
        }
        pump.iterate();
    }

    /** A queued delta can be dropped when the newer one carries every widget it carried. */
    private static boolean coalesces(Event older, Event newer) {
        return Deltas.covers(newer, older);
    }

    /**
     * Starts over from the last event written, as a reconnecting client would. The session leaves
     * its topics first and registers again inside the dispatch lock, as {@link #open} does: events
     * published while it was away are in the rings and come back in the opening, events published
     * after it registered are queued behind it. (Staying registered but ignoring offers while
     * resynchronizing lost the events published between the replay and the end of the resync.)
     */
    private void resync() {
        subscription.unsubscribe(this);
        Optional<Position> from;
        synchronized (this) {
            if (closed) {
                return;
            }
            from = lastWritten;
            queue.clear();
            overflowed = false;
            holding = true;
        }
        List<Event> opening = subscription.resync(from.isPresent() ? from : Optional.of(new Position("overflow", 0)), this);
        boolean closedMeanwhile;
        synchronized (this) {
            closedMeanwhile = closed;
            if (!closedMeanwhile) {
                ArrayDeque<Object> live = new ArrayDeque<>(queue);
                queue.clear();
                queue.addAll(opening);
                queue.addAll(live);
                opening(opening.size());
                holding = false;
            }
        }
        if (closedMeanwhile) {
            // close() may have unsubscribed before we registered again (outside our lock: offers hold the feed's)
            subscription.unsubscribe(this);
            return;
        }
        pump.iterate();
    }

    /** Writes a heartbeat comment if the connection is idle; keeps proxies and idle timeouts away. */
    public void heartbeat() {
        synchronized (this) {
            if (!queue.isEmpty() || closed) {
                return;
            }
            queue.add(HEARTBEAT.duplicate());
        }
        pump.iterate();
    }

    private synchronized ByteBuffer next() {
        if (holding) {
            return null;
        }
        Object o = queue.poll();
        if (o == null) {
            return null;
        }
        if (allowance > 0) {
            allowance--;
        }
        if (o instanceof Event e) {
            lastWritten = Optional.of(e.position());
            return e.sse();
        }
        return (ByteBuffer) o;
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Ends the session: unsubscribes and completes the response. */
    public void close(Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        subscription.close(this);
        if (cause == null) {
            done.succeeded();
        } else {
            done.failed(cause);
        }
    }

    private final class Pump extends IteratingCallback {
        @Override
        protected Action process() {
            if (closed()) {
                return Action.SUCCEEDED;
            }
            ByteBuffer b = next();
            if (b == null) {
                return Action.IDLE;
            }
            response.write(false, b, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            SseSession.this.close(cause);
        }
    }
}
