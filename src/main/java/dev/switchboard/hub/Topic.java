package dev.switchboard.hub;

import dev.switchboard.change.Position;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * A stream of events with a bounded resume ring. The ring can replay everything after any
 * position at or above its floor: the position before the oldest event it still holds (or the
 * feed position when the topic was created).
 */
final class Topic {
    final String name;
    private final int capacity;
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private Position floor;
    long lastActive;

    Topic(String name, Position floor, int capacity, long now) {
        this.name = name;
        this.floor = floor;
        this.capacity = capacity;
        this.lastActive = now;
    }

    void publish(Event e, long now) {
        ring.addLast(e);
        if (ring.size() > capacity) {
            floor = ring.removeFirst().position();
        }
        lastActive = now;
        for (Subscriber s : subscribers) {
            s.offer(e);
        }
    }

    /** The events after {@code from}, or empty when the ring no longer reaches back that far. */
    Optional<List<Event>> since(Position from) {
        if (!from.sameEpoch(floor) || from.compareTo(floor) < 0) {
            return Optional.empty();
        }
        List<Event> out = new ArrayList<>();
        for (Event e : ring) {
            if (e.position().compareTo(from) > 0) {
                out.add(e);
            }
        }
        return Optional.of(out);
    }

    Position floor() {
        return floor;
    }
}
