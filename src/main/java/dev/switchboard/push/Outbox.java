package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbound queue of one session, whatever its transport. Bounded: when more than
 * {@code capacity} events wait (beyond the opening ones) the queue is dropped and the caller
 * resynchronizes the session from {@link #lastWritten}, exactly as a reconnecting client would.
 * Coalescing: a newer delta of a dashboard folds into a queued one (the merged widget map is kept,
 * no JSON is parsed), so a slow client receives the latest values rather than every step.
 * While <em>holding</em> (the opening is being built) nothing is handed to the writer, so no live
 * event can overtake the opening. Thread-safe: offered on a fan-out thread, drained by the
 * transport's writer.
 */
public final class Outbox {
    /** What {@link #offer} did. */
    public enum Offer {
        QUEUED,
        /** The queue just overflowed and was dropped: resynchronize the session (once). */
        OVERFLOWED,
        /** Ignored: the queue is closed or already overflowed and waiting for its resynchronization. */
        IGNORED
    }

    private static final class Slot {
        final Object item;
        Map<String, Object> widgets;
        Event newest;
        boolean dead;
        final boolean opening;

        Slot(Object item, boolean opening) {
            this.item = item;
            this.newest = item instanceof Event e ? e : null;
            this.opening = opening;
        }
    }

    /**
     * The last item of a session whose node is shutting down: the client is to reconnect (to any
     * node) and resume from {@code position}, the last event written before it.
     */
    record Farewell(Optional<Position> position) {}

    /** Where the farewell waits in the queue; {@link #drain} hands out a {@link Farewell} with the position then. */
    private static final Object FAREWELL = new Object();

    private final int capacity;
    private final ArrayDeque<Slot> queue = new ArrayDeque<>();
    private final Map<String, Slot> queuedDelta = new HashMap<>();
    private int live;
    private int allowance;
    private boolean holding = true;
    private boolean overflowed;
    private boolean overflowedWhileHolding;
    private boolean closed;
    /** A farewell is queued: nothing is queued after it any more. */
    private boolean sealed;
    /** Which registration the queue serves: {@link #hold} starts a new one, offers made for an older one are ignored. */
    private long generation;
    private Optional<Position> lastWritten = Optional.empty();

    public Outbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an outbox holds at least one event; was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Queues a live event for the current registration (a fan-out thread). */
    public synchronized Offer offer(Event e) {
        return offer(generation, e);
    }

    /**
     * Queues a live event sent to registration {@code gen}; ignored when a resynchronization has
     * begun since (the new registration's opening covers it, so queueing it would repeat it).
     */
    public synchronized Offer offer(long gen, Event e) {
        if (closed || sealed || overflowed || gen != generation) {
            return Offer.IGNORED;
        }
        if (e.mergeable()) {
            Slot old = queuedDelta.get(e.topic());
            if (old != null && !old.dead && !old.opening) {
                // fold the queued delta into this one, which goes to the back: positions stay in order
                old.dead = true;
                live--;
                Slot merged = new Slot(old.item, false);
                merged.widgets = new LinkedHashMap<>(old.widgets != null ? old.widgets : old.newest.widgets().orElseThrow());
                merged.widgets.putAll(e.widgets().orElseThrow());
                merged.newest = e;
                append(merged);
                queuedDelta.put(e.topic(), merged);
                return Offer.QUEUED;
            }
        }
        if (live >= capacity + allowance) {
            clearQueue();
            if (holding) {
                overflowedWhileHolding = true; // the opening will be built again
                return Offer.IGNORED;
            }
            overflowed = true;
            return Offer.OVERFLOWED;
        }
        Slot s = new Slot(e, false);
        append(s);
        if (e.mergeable()) {
            queuedDelta.put(e.topic(), s);
        }
        return Offer.QUEUED;
    }

    /** Queues transport bytes (a heartbeat) when nothing else waits; false when it was not needed. */
    public synchronized boolean idle(ByteBuffer bytes) {
        if (closed || sealed || live > 0 || holding) {
            return false;
        }
        append(new Slot(bytes, false));
        return true;
    }

    /** Queues transport bytes (a pong, an error notice) behind what is queued; false when closed. */
    public synchronized boolean control(ByteBuffer bytes) {
        if (closed || sealed) {
            return false;
        }
        append(new Slot(bytes, false));
        return true;
    }

    /**
     * Queues the farewell behind everything queued (and behind an opening being built) and takes
     * nothing more: what was queued is written, then the farewell with the position of the last
     * event written before it. False when closed or already sealed.
     */
    public synchronized boolean farewell() {
        if (closed || sealed) {
            return false;
        }
        append(new Slot(FAREWELL, false));
        sealed = true;
        return true;
    }

    private void append(Slot s) {
        queue.addLast(s);
        live++;
    }

    private void clearQueue() {
        queue.clear();
        queuedDelta.clear();
        live = 0;
        allowance = 0;
    }

    /** Where a resynchronization or a fresh opening starts: the client's own resume position. */
    public synchronized void resumeFrom(Optional<Position> position) {
        lastWritten = position;
    }

    /** The current registration. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * Drops what is queued and holds until {@link #open}: a resynchronization begins. Returns the
     * new registration's generation; offers and openings for older ones are ignored from now on.
     */
    public synchronized long hold() {
        clearQueue();
        if (sealed) {
            append(new Slot(FAREWELL, false)); // the new registration's opening goes before it
        }
        holding = true;
        overflowed = false;
        overflowedWhileHolding = false;
        return ++generation;
    }

    /** What {@link #open} did. */
    public enum Opened {
        OPENED,
        /** Live events overflowed while the opening was built: resynchronize again. */
        OVERFLOWED,
        /** A newer registration began meanwhile: this opening is dropped. */
        STALE
    }

    /**
     * Puts the opening events ({@code preamble} bytes, then events) before whatever live events
     * were queued since registration and releases the writer. The opening does not count against
     * the bound (a replay may exceed it); the allowance shrinks as it is written. The opening is
     * registration {@code gen}'s: it is dropped when a newer one began.
     */
    public synchronized Opened open(long gen, List<?> opening) {
        if (gen != generation || closed) {
            return Opened.STALE;
        }
        if (overflowedWhileHolding) {
            overflowedWhileHolding = false;
            clearQueue();
            return Opened.OVERFLOWED;
        }
        List<Slot> live = new ArrayList<>(queue);
        queue.clear();
        this.live = 0;
        for (Object o : opening) {
            append(new Slot(o, true));
        }
        allowance = opening.size();
        live.forEach(this::append);
        holding = false;
        return Opened.OPENED;
    }

    /** {@link #open(long, List)} for the current registration. */
    public synchronized Opened open(List<?> opening) {
        return open(generation, opening);
    }

    /**
     * Takes up to {@code max} items to write, in order: {@link Event}s and transport bytes. Returns
     * an empty list while holding or when nothing waits. Marks the last event with a position as
     * written.
     */
    public synchronized List<Object> drain(int max) {
        return drain(max, e -> { });
    }

    /**
     * {@link #drain(int)}, handing each live event drained (not one of an opening: those were
     * committed before the client came) to {@code delivered}, as it was offered (a merged delta as
     * its newest part).
     */
    public synchronized List<Object> drain(int max, java.util.function.Consumer<Event> delivered) {
        if (holding || closed || live == 0) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(Math.min(max, live));
        while (out.size() < max && !queue.isEmpty()) {
            Slot s = queue.pollFirst();
            if (s.dead) {
                continue;
            }
            live--;
            if (s.opening && allowance > 0) {
                allowance--;
            }
            Object item = s.item;
            if (item == FAREWELL) {
                out.add(new Farewell(lastWritten));
                break; // nothing is queued after it
            }
            if (!s.opening && s.newest != null) {
                delivered.accept(s.newest);
            }
            if (s.widgets != null) {
                item = s.newest.withWidgets(s.widgets);
            }
            if (s.newest != null && queuedDelta.get(s.newest.topic()) == s) {
                queuedDelta.remove(s.newest.topic());
            }
            if (item instanceof Event e && !e.ephemeral()) {
                lastWritten = Optional.of(e.position());
            }
            out.add(item);
        }
        return out;
    }

    /** The position of the last event handed to the writer (or the resume position before any). */
    public synchronized Optional<Position> lastWritten() {
        return lastWritten;
    }

    /** Items waiting (opening included). */
    public synchronized int size() {
        return live;
    }

    /** Drops everything and ignores all further offers. */
    public synchronized void close() {
        closed = true;
        clearQueue();
    }
}
