package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP long-poll: a {@link Session} that collects events instead of writing them and answers
 * once it has any (the opening counts: without {@code since} it is the snapshot), or when the wait
 * ends with none. The answer is {@code {"events": [...], "position": "..."}}, each event in the
 * WebSocket form ({@code {"event", "id", "data"}}); the client polls again with
 * {@code since=<position>}, which resumes exactly as {@code Last-Event-ID} does.
 */
public final class PollSession extends Session {
    /** Runs the poll timers (never the common pool, which a busy application may exhaust). */
    private static final java.util.concurrent.Executor TIMERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final List<Event> events = new ArrayList<>();
    private final CompletableFuture<String> answer = new CompletableFuture<>();
    private final Optional<Position> since;

    public PollSession(Subscription subscription, int capacity, Optional<Position> since) {
        super(subscription.withoutCatchUp(), new Outbox(capacity), WsSession.CODEC);
        this.since = since;
    }

    /** Opens, then completes with the JSON answer when events arrived or after {@code wait}; the session is closed then. */
    public CompletableFuture<String> poll(Duration wait) {
        // the wait starts once the opening is queued: without since, or from an unknown position, the
        // opening itself is the answer, however short the wait
        open(since).whenComplete((ok, error) -> CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, TIMERS).execute(this::finish));
        return answer;
    }

    @Override
    protected void write(ByteBuffer bytes, Callback done) {
        done.succeeded();
    }

    @Override
    protected void writeAll(List<Object> items, Callback done) {
        boolean any = false;
        boolean farewell = false;
        synchronized (this) {
            for (Object o : items) {
                if (o instanceof Event e) {
                    events.add(e);
                    any = true;
                } else if (o instanceof Outbox.Farewell) {
                    farewell = true;
                }
            }
        }
        done.succeeded();
        if (farewell) {
            finish(); // the node is shutting down: the pending poll is answered at once
        } else if (any) {
            // let events of the same moment (a change and the delta it caused) join this answer
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS, TIMERS).execute(this::finish);
        }
    }

    /** Answers now with what was collected: the session ends, and {@link #end} completes the answer. */
    private void finish() {
        close(Optional.empty());
    }

    private synchronized String json() {
        StringBuilder b = new StringBuilder("{\"events\":[");
        Optional<Position> last = since;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            b.append(i == 0 ? "" : ",").append(e.text(WsSession.CODEC));
            if (!e.ephemeral()) {
                last = Optional.of(e.position());
            }
        }
        b.append("],\"position\":").append(last.map(p -> "\"" + p + "\"").orElse("null"));
        if (restarting()) {
            b.append(",\"reconnect\":true"); // this node is shutting down: poll again, to any node, from position
        }
        return b.append('}').toString();
    }

    /** A poll answers with one page of a backfill; the client polls again from its last event. */
    @Override
    protected boolean continuesPages() {
        return false;
    }

    @Override
    protected ByteBuffer heartbeatBytes() {
        return ByteBuffer.allocate(0);
    }

    @Override
    protected String transport() {
        return "poll";
    }

    @Override
    protected ByteBuffer reconnectNotice(Optional<Position> position) {
        return ByteBuffer.allocate(0); // the answer says it (writeAll)
    }

    @Override
    protected ByteBuffer expiredNotice() {
        return ByteBuffer.allocate(0);
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        if (cause.isPresent()) {
            answer.completeExceptionally(cause.get());
        } else {
            answer.complete(json());
        }
    }
}
