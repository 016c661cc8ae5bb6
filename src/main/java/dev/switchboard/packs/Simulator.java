package dev.switchboard.packs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Simulated traffic for one pack: each step writes what happened since the last one, through the
 * same validated ingest path real writers use.
 */
public interface Simulator {

    /** The pack this simulator feeds, e.g. {@code calls}. */
    String pack();

    /** When this pack's tenants act, and how much history its dashboards show. */
    Arrivals arrivals();

    /**
     * Advances the simulation to {@code now}: first what time alone brings (a call ending, an
     * appointment starting), then {@code events.get(tenant)} actions of each tenant, in the map's
     * order (drawn from {@link #arrivals()}). Row values are JSON-shaped: strings, numbers,
     * booleans, nulls; times as ISO-8601 strings.
     */
    void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer);

    /**
     * Takes back what a previous run on this database left in progress (calls still active,
     * appointments ahead, free slots, open tickets), so that time moves on for those rows too
     * instead of leaving them open forever; called once on a restart, before the first step. The
     * default takes nothing back.
     */
    default void resume(Stored stored, RandomGenerator random) {}

    /** What a previous run wrote, as the simulator's tenants' rows, JSON-shaped like the rows it writes. */
    interface Stored {
        /** Rows of {@code dataset} whose {@code column} is one of {@code values}; every column present, nulls included. */
        List<Map<String, Object>> rows(String dataset, String column, List<String> values);

        /** The greatest value of a text {@code column} of {@code dataset} among values of the greatest length; empty when none. */
        java.util.Optional<String> highest(String dataset, String column);
    }

    /** Where a simulator writes. */
    interface Writer {
        void upsert(String tenant, String dataset, List<Map<String, Object>> rows);

        void delete(String tenant, String dataset, List<String> keys);
    }
}
