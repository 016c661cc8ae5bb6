package dev.switchboard.live;

import dev.switchboard.change.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gauge over time: the value of a stat widget of the same view, sampled every {@code every} at
 * instants aligned to multiples of it (so that every node samples at the same instants), keeping
 * the last {@code points} as {@code [{t, v}]}, oldest first. A sample is taken when the view's
 * clock reaches a new instant (at the engine's tick), with the source's value then; instants the
 * clock skipped (no tick ran) get no point rather than an invented one. A new view starts with one
 * point, at the latest instant, from its bootstrap.
 *
 * <p>The points are a record of past live values, which no query can recompute: SQL checks the
 * source widget, and {@link #sqlValue} is the record itself. A rebuilt view keeps its
 * predecessor's record ({@link #adopt}); a view evicted for idleness forgets it.
 */
final class SampleWidget implements Widget {
    private final String name;
    private final Widget source;
    private final long every;
    private final int points;
    private final ArrayDeque<Point> record = new ArrayDeque<>();

    /** One point: its instant, and its JSON form {@code {t, v}}. */
    private record Point(long at, Map<String, Object> json) {}

    SampleWidget(String name, Widget source, Duration every, int points) {
        this.name = name;
        this.source = source;
        this.every = every.toMillis();
        this.points = points;
    }

    public String name() {
        return name;
    }

    /** Takes a point at the latest sampling instant at or before {@code now}, unless it has one; returns whether it did. */
    boolean sample(long now) {
        long at = Math.floorDiv(now, every) * every;
        if (!record.isEmpty() && at <= record.getLast().at()) {
            return false;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("t", Times.format(Instant.ofEpochMilli(at)));
        p.put("v", source.value(now));
        record.addLast(new Point(at, java.util.Collections.unmodifiableMap(p)));
        trim();
        return true;
    }

    /** Continues the record of {@code previous} (the view this one rebuilds): its points, then this one's newer ones. */
    void adopt(SampleWidget previous) {
        List<Point> mine = List.copyOf(record);
        record.clear();
        record.addAll(previous.record);
        for (Point p : mine) {
            if (record.isEmpty() || p.at() > record.getLast().at()) {
                record.addLast(p);
            }
        }
        trim();
    }

    private void trim() {
        while (record.size() > points) {
            record.removeFirst();
        }
    }

    public Object value(long now) {
        return record.stream().map(Point::json).toList();
    }

    /** The record itself: past values cannot be queried; the source is checked against SQL instead. */
    public Object sqlValue(Sql sql, long now) {
        return value(now);
    }
}
