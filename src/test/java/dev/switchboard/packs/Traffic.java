package dev.switchboard.packs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Test traffic that ignores a pack's arrival model: a fixed number of events a step, each to a tenant drawn uniformly. */
public final class Traffic {
    private Traffic() {}

    /** {@code events} events spread over the simulator's tenants at random, tenants in the model's order. */
    public static Map<String, Integer> uniform(Simulator simulator, int events, RandomGenerator random) {
        Map<String, Integer> out = new LinkedHashMap<>();
        var tenants = simulator.arrivals().tenants();
        tenants.forEach(t -> out.put(t, 0));
        for (int i = 0; i < events; i++) {
            out.merge(tenants.get(random.nextInt(tenants.size())), 1, Integer::sum);
        }
        return out;
    }
}
