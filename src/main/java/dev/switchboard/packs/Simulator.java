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

    /**
     * Advances the simulation to {@code now}, writing about {@code events} row changes in all
     * (the demo's --simulate-rate spread over packs and steps). Row values are JSON-shaped: strings,
     * numbers, booleans, nulls; times as ISO-8601 strings.
     */
    void step(Instant now, int events, RandomGenerator random, Writer writer);

    /** Where a simulator writes. */
    interface Writer {
        void upsert(String tenant, String dataset, List<Map<String, Object>> rows);

        void delete(String tenant, String dataset, List<String> keys);
    }
}
