package dev.switchboard.change;

import java.util.Optional;

/**
 * Where a change stands in the stream: the epoch names the change log (it changes when the log is
 * reset or replaced) and the sequence grows in commit order within one epoch.
 *
 * <p>On the wire a position is the opaque string {@code <epoch>-<seq>}; clients must not parse it.
 */
public record Position(String epoch, long seq) implements Comparable<Position> {

    public Position {
        if (epoch.isEmpty() || epoch.indexOf('-') >= 0) {
            throw new IllegalArgumentException("epoch must be non-empty and free of '-', was '" + epoch + "'");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + seq);
        }
    }

    /** The position before any change of the given epoch. */
    public static Position start(String epoch) {
        return new Position(epoch, 0);
    }

    /** Parses a wire string; empty when it is not a position (clients send all sorts of ids). */
    public static Optional<Position> parse(String wire) {
        int dash = wire.lastIndexOf('-');
        if (dash <= 0 || dash == wire.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Position(wire.substring(0, dash), Long.parseLong(wire.substring(dash + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True when both positions belong to the same change log and can be compared. */
    public boolean sameEpoch(Position other) {
        return epoch.equals(other.epoch);
    }

    public boolean isAfter(Position other) {
        return compareTo(other) > 0;
    }

    /** Orders positions of one epoch; comparing across epochs is a bug and throws. */
    @Override
    public int compareTo(Position other) {
        if (!sameEpoch(other)) {
            throw new IllegalArgumentException("positions of different epochs: " + this + " vs " + other);
        }
        return Long.compare(seq, other.seq);
    }

    @Override
    public String toString() {
        return epoch + "-" + seq;
    }
}
