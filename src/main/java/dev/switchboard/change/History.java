package dev.switchboard.change;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Collects one tenant's changes between two positions from a batch reader, for {@link ChangeSource#history}. */
public final class History {
    /** Changes read per call while collecting. */
    static final int BATCH = 4096;

    private History() {}

    /**
     * The changes of {@code tenant} in ({@code after}, {@code upto}] as {@code read} returns them
     * (up to n changes strictly after a position, in order).
     *
     * @throws IllegalArgumentException when more than {@code max} of them exist
     */
    public static List<Change> collect(BiFunction<Position, Integer, List<Change>> read, Position after, Position upto,
                                       String tenant, int max) {
        List<Change> out = new ArrayList<>();
        Position at = after;
        while (at.compareTo(upto) < 0) {
            List<Change> batch = read.apply(at, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            for (Change c : batch) {
                if (c.position().compareTo(upto) > 0) {
                    return out;
                }
                if (c.concerns(tenant)) {
                    out.add(c);
                    if (out.size() > max) {
                        throw tooMany(max, tenant, after);
                    }
                }
                at = c.position();
            }
        }
        return out;
    }

    /**
     * Up to {@code limit} changes of {@code tenant} in {@code datasets} in ({@code after},
     * {@code upto}] as {@code read} returns them, for {@link ChangeSource#historyPage}.
     */
    public static List<Change> page(BiFunction<Position, Integer, List<Change>> read, Position after, Position upto, String tenant,
                                    java.util.Set<String> datasets, int limit) {
        List<Change> out = new ArrayList<>();
        Position at = after;
        while (at.compareTo(upto) < 0 && out.size() < limit) {
            List<Change> batch = read.apply(at, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            for (Change c : batch) {
                if (c.position().compareTo(upto) > 0) {
                    return out;
                }
                if (c.concerns(tenant) && (datasets.contains(c.dataset()))) {
                    out.add(c);
                    if (out.size() == limit) {
                        return out;
                    }
                }
                at = c.position();
            }
        }
        return out;
    }

    /** What a source throws when {@code tenant} missed more than {@code max} changes after {@code after}. */
    public static IllegalArgumentException tooMany(int max, String tenant, Position after) {
        return new IllegalArgumentException("more than " + max + " changes of tenant " + tenant + " after " + after);
    }
}
