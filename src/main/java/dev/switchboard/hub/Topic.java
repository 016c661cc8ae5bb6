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
    /** The fan-out lane of this topic ({@link #laneOf}). */
    final String lane;
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
        this.lane = laneOf(kind, name);
        this.maxBytes = maxBytes;
        this.kind = kind;
        this.dataset = dataset;
        this.floor = floor;
        this.capacity = kind.resumable() ? capacity : 0;
        this.perShard = new int[shards];
        this.lastActive = now;
    }

    /**
     * The fan-out lane of a topic: its tenant, the second segment of the names of every resumable
     * topic ({@code data/{tenant}/...}, {@code dashboard/{tenant}/...}); an ephemeral topic (no
     * ids, never resumed) is a lane of its own. A fan-out thread keeps the order of the work in a
     * lane and takes the lanes in turn, so a subscriber, whose topics all belong to one tenant,
     * receives its events in the order they were published, while one tenant's burst does not hold
     * up another tenant's events. A name outside that pattern is in the lane {@code ""}.
     */
    static String laneOf(TopicKind kind, String name) {
        if (!kind.resumable()) {
            return "~" + name;
        }
        int a = name.indexOf('/');
        int b = a < 0 ? -1 : name.indexOf('/', a + 1);
        return a < 0 ? "" : b < 0 ? name.substring(a + 1) : name.substring(a + 1, b);
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
