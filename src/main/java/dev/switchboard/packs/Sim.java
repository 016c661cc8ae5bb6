package dev.switchboard.packs;

import dev.switchboard.change.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Helpers the pack simulators share. Everything random comes from the generator passed in and
 * every collection iterates in insertion order, so a run is a pure function of its seed and the
 * instants it is stepped to.
 */
final class Sim {
    private Sim() {}

    /** A key unlikely to repeat within a tenant: 48 random bits. */
    static String id(RandomGenerator random, String prefix) {
        return prefix + "_" + String.format("%012x", random.nextLong() >>> 16);
    }

    /** One entry per event: each tenant as many times as it has events, tenants in the map's order. */
    static List<String> turns(Map<String, Integer> events) {
        List<String> turns = new ArrayList<>();
        events.forEach((tenant, n) -> {
            for (int i = 0; i < n; i++) {
                turns.add(tenant);
            }
        });
        return turns;
    }

    static String time(Instant t) {
        return Times.format(t);
    }

    /** A row as a mutable ordered map; arguments alternate column name and value (nulls allowed). */
    static Map<String, Object> row(Object... columnsAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            row.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return row;
    }

    /** Writes a snapshot of the row: simulators keep mutating their own copy afterwards. */
    static void put(Simulator.Writer writer, String tenant, String dataset, Map<String, Object> row) {
        writer.upsert(tenant, dataset, List.of(new LinkedHashMap<>(row)));
    }

    static void delete(Simulator.Writer writer, String tenant, String dataset, String key) {
        writer.delete(tenant, dataset, List.of(key));
    }

    /**
     * Whether a stored time is at or before {@code now}. Canonical times sort as text, so this
     * compares strings instead of parsing them in the hot loops.
     */
    static boolean reached(Object storedTime, Instant now) {
        // Called for every tracked row on every step (a backfill has tens of thousands of steps):
        // format each step's instant once, not once per row.
        Object[] last = LAST_NOW.get();
        if (!now.equals(last[0])) {
            last[0] = now;
            last[1] = time(now);
        }
        return ((String) storedTime).compareTo((String) last[1]) <= 0;
    }

    /** The instant {@link #reached} last formatted on this thread, and its text. */
    private static final ThreadLocal<Object[]> LAST_NOW = ThreadLocal.withInitial(() -> new Object[2]);

    static <T> T pick(RandomGenerator random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    /** A random element matching {@code test}, if any. Linear, over state kept small on purpose. */
    static <T> Optional<T> pick(RandomGenerator random, Collection<T> items, Predicate<? super T> test) {
        List<T> matching = new ArrayList<>();
        for (T t : items) {
            if (test.test(t)) {
                matching.add(t);
            }
        }
        return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(random.nextInt(matching.size())));
    }

    /** Index of a weighted choice among actions whose weights depend on state; -1 if all are 0. */
    static int choose(RandomGenerator random, double... weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        if (total <= 0) {
            return -1;
        }
        double x = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0 && weights[i] > 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    static boolean chance(RandomGenerator random, double p) {
        return random.nextDouble() < p;
    }

    static Duration seconds(RandomGenerator random, int min, int max) {
        return Duration.ofSeconds(random.nextInt(min, max + 1));
    }

    /** When a late event happened: between 2 and 59 minutes before now. */
    static Instant late(RandomGenerator random, Instant now) {
        return now.minusSeconds(random.nextInt(120, 3540));
    }

    static final List<String> FIRST_NAMES = List.of("Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah",
            "Isabella", "Mateo", "Mia", "Lucas", "Harper", "Ethan", "Aaliyah", "James", "Chloe", "Hiro", "Fatima", "Daniel", "Priya",
            "Samuel", "Grace", "Omar", "Zoe", "Wei", "Layla", "Jonas", "Nora", "Diego");
    static final List<String> LAST_NAMES = List.of("Smith", "Johnson", "Nguyen", "Garcia", "Kowalski", "Brown", "Haddad",
            "Okonkwo", "Rossi", "Schmidt", "Tanaka", "Murphy", "Silva", "Andersen", "Cohen", "Dubois", "Kim", "Singh", "Walker",
            "Moreau", "Petrov", "Lopez", "Hughes", "Yilmaz", "Bianchi");

    /** A person's full name: one of 750 (30 first names, 25 last names), in one draw. */
    static String person(RandomGenerator random) {
        int i = random.nextInt(FIRST_NAMES.size() * LAST_NAMES.size());
        return FIRST_NAMES.get(i / LAST_NAMES.size()) + " " + LAST_NAMES.get(i % LAST_NAMES.size());
    }

    static String phone(RandomGenerator random) {
        return "+1555" + String.format("%07d", random.nextInt(10_000_000));
    }

    static double money(double amount) {
        return Math.round(amount * 100) / 100.0;
    }

    /** Drops the oldest entries so long-running demos keep bounded state. */
    static <K, V> void trim(Map<K, V> map, int max) {
        var it = map.keySet().iterator();
        while (map.size() > max && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Weighted choice; weights need not sum to anything. */
    record Weighted(List<String> values, double[] weights, double total) {
        static Weighted of(Object... valuesAndWeights) {
            List<String> values = new ArrayList<>();
            double[] weights = new double[valuesAndWeights.length / 2];
            double total = 0;
            for (int i = 0; i < valuesAndWeights.length; i += 2) {
                values.add((String) valuesAndWeights[i]);
                weights[i / 2] = ((Number) valuesAndWeights[i + 1]).doubleValue();
                total += weights[i / 2];
            }
            return new Weighted(values, weights, total);
        }

        String pick(RandomGenerator random) {
            double x = random.nextDouble() * total;
            for (int i = 0; i < weights.length; i++) {
                x -= weights[i];
                if (x < 0) {
                    return values.get(i);
                }
            }
            return values.getLast();
        }
    }
}
