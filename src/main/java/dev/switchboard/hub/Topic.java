package dev.switchboard.hub;

import dev.switchboard.change.Position;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stream of events with a bounded resume ring, owned by the feed's owner thread. The ring can
 * replay everything after any position at or above its floor: the position before the oldest
 * event it still holds (or the feed position when the topic was created). Who receives the
 * events is the fan-out's business; the topic only counts its subscribers per fan-out shard.
 */
final class Topic {
    final String name;
    final TopicKind kind;
    /** The dataset of a {@link TopicKind#DATASET} topic, else empty. */
    final String dataset;
    private final int capacity;
    private final long maxBytes;
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    /** JSON bytes of the events in the ring. */
    private long bytes;
    final int[] perShard;
    /** Who joined, so that leaving twice (or without joining) cannot corrupt the counts. */
    final java.util.Set<Subscriber> members = new java.util.HashSet<>();
    private Position floor;
    long lastActive;

    Topic(String name, TopicKind kind, String dataset, Position floor, int capacity, long maxBytes, int shards, long now) {
        this.name = name;
        this.maxBytes = maxBytes;
        this.kind = kind;
        this.dataset = dataset;
        this.floor = floor;
        this.capacity = kind.resumable() ? capacity : 0;
        this.perShard = new int[shards];
        this.lastActive = now;
    }

    /** Keeps {@code e} for resuming (unless the topic is ephemeral). */
    void record(Event e, long now) {
        lastActive = now;
        if (capacity == 0) {
            return;
        }
        ring.addLast(e);
        bytes += e.json().length;
        // the newest event always stays, so a topic can resume from just before it
        while (ring.size() > capacity || (bytes > maxBytes && ring.size() > 1)) {
            Event old = ring.removeFirst();
            bytes -= old.json().length;
            floor = old.position();
        }
    }

    /** The events after {@code from}, or empty when the ring no longer reaches back that far. */
    Optional<List<Event>> since(Position from) {
        if (!kind.resumable() || !from.sameEpoch(floor) || from.compareTo(floor) < 0) {
            return Optional.empty();
        }
        List<Event> out = new ArrayList<>();
        for (var it = ring.descendingIterator(); it.hasNext(); ) {
            Event e = it.next();
            if (e.position().compareTo(from) <= 0) {
                break;
            }
            out.add(e);
        }
        java.util.Collections.reverse(out);
        return Optional.of(out);
    }

    /** JSON bytes the ring holds. */
    long bytes() {
        return bytes;
    }

    Position floor() {
        return floor;
    }
}
