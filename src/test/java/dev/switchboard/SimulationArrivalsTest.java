package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.live.MutableClock;
import dev.switchboard.packs.Arrivals;
import dev.switchboard.packs.Simulator;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's backfill and its live loop step simulators with the events of the same arrival
 * model: history is as dense as live traffic, hour by hour, and simulated time never goes back.
 * Time is a {@link MutableClock}; the random draws are seeded by the (empty) database.
 */
class SimulationArrivalsTest {
    /** A Wednesday noon. */
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private static final Simulator.Writer NONE = new Simulator.Writer() {
        public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {}

        public void delete(String tenant, String dataset, List<String> keys) {}
    };

    @TempDir
    Path dir;

    /** Counts the events it is given per hour of the step's end, and the instants it was stepped to. */
    static final class Counting implements Simulator {
        final Arrivals arrivals;
        final Map<Instant, Long> perHour = new TreeMap<>();
        final List<Instant> steps = new ArrayList<>();

        Counting(Arrivals arrivals) {
            this.arrivals = arrivals;
        }

        @Override
        public String pack() {
            return "counting";
        }

        @Override
        public Arrivals arrivals() {
            return arrivals;
        }

        boolean resumed;

        @Override
        public void resume(Stored stored, RandomGenerator random) {
            resumed = steps.isEmpty();
        }

        @Override
        public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
            steps.add(now);
            long n = events.values().stream().mapToLong(Integer::longValue).sum();
            perHour.merge(now.minusNanos(1).truncatedTo(java.time.temporal.ChronoUnit.HOURS), n, Long::sum);
        }
    }

    @Test
    void backfillAndLiveTraffic_haveTheDensityOfTheModel_hourByHour() {
        Arrivals model = new Arrivals(Map.of("t1", 2400.0, "t2", 1200.0), Arrivals.Shape.AROUND_THE_CLOCK, Duration.ofDays(2),
                Duration.ofSeconds(60));
        Counting counting = new Counting(model);
        MutableClock clock = new MutableClock(NOW);
        try (SqliteStore store = SqliteStore.open(dir.resolve("sim.db"))) {
            store.migrate(List.of());
            Simulation simulation = new Simulation(store, DatasetCatalog.of(List.of()), clock, Simulation.MODEL_RATE, List.of(counting));
            simulation.backfill();
            assertThat(counting.steps.getFirst()).isEqualTo(NOW.minus(Duration.ofDays(2)).plusSeconds(60));
            assertThat(counting.steps.getLast()).isEqualTo(NOW);
            // Six live hours, stepped as the live loop steps (every 250 ms).
            for (int i = 0; i < 6 * 3600 * Simulation.STEPS; i++) {
                clock.advance(Duration.ofMillis(1000 / Simulation.STEPS));
                simulation.step(NONE);
            }
        }
        assertThat(counting.steps).as("simulated time only moves forward").isSorted();
        assertThat(counting.perHour).hasSize(48 + 6);
        counting.perHour.forEach((hour, n) -> {
            double expected = model.expected("t1", hour, hour.plus(Duration.ofHours(1)), 1)
                    + model.expected("t2", hour, hour.plus(Duration.ofHours(1)), 1);
            // 3600 events an hour at most: a Poisson count lies within 4 standard deviations (~7% at the quietest hour).
            assertThat((double) n).as((hour.isBefore(NOW) ? "history " : "live ") + hour).isCloseTo(expected, Percentage.withPercentage(12));
        });
        double history = counting.perHour.entrySet().stream().filter(e -> e.getKey().isBefore(NOW)).mapToLong(Map.Entry::getValue).sum();
        double historyExpected = model.expected("t1", NOW.minus(Duration.ofDays(2)), NOW, 1) + model.expected("t2", NOW.minus(Duration.ofDays(2)), NOW, 1);
        assertThat(history).isCloseTo(historyExpected, Percentage.withPercentage(2));
        double live = counting.perHour.entrySet().stream().filter(e -> !e.getKey().isBefore(NOW)).mapToLong(Map.Entry::getValue).sum();
        double liveExpected = model.expected("t1", NOW, NOW.plus(Duration.ofHours(6)), 1) + model.expected("t2", NOW, NOW.plus(Duration.ofHours(6)), 1);
        assertThat(live).isCloseTo(liveExpected, Percentage.withPercentage(3));
    }

    @Test
    void aFasterRate_scalesTheDensity_andShortensTheHistorySpan() {
        Arrivals model = new Arrivals(Map.of("t1", 3600.0), Arrivals.Shape.AROUND_THE_CLOCK, Duration.ofDays(2), Duration.ofSeconds(60));
        Counting counting = new Counting(model);
        try (SqliteStore store = SqliteStore.open(dir.resolve("fast.db"))) {
            store.migrate(List.of());
            Simulation simulation = new Simulation(store, DatasetCatalog.of(List.of()), new MutableClock(NOW), 4 * Simulation.MODEL_RATE,
                    List.of(counting));
            assertThat(simulation.span(counting)).isEqualTo(Duration.ofHours(12));
            simulation.backfill();
        }
        double n = counting.perHour.values().stream().mapToLong(Long::longValue).sum();
        assertThat(n).isCloseTo(4 * model.expected("t1", NOW.minus(Duration.ofHours(12)), NOW, 1), Percentage.withPercentage(2));
    }

    @Test
    void theClockSteppingBack_neverStepsASimulatorBack() {
        Counting counting = new Counting(new Arrivals(Map.of("t1", 3600.0), Arrivals.Shape.AROUND_THE_CLOCK, Duration.ofHours(1),
                Duration.ofSeconds(10)));
        MutableClock clock = new MutableClock(NOW);
        try (SqliteStore store = SqliteStore.open(dir.resolve("back.db"))) {
            store.migrate(List.of());
            Simulation simulation = new Simulation(store, DatasetCatalog.of(List.of()), clock, Simulation.MODEL_RATE, List.of(counting));
            simulation.backfill();
            clock.set(NOW.minusSeconds(30));
            simulation.step(NONE);
            clock.set(NOW.plusSeconds(1));
            simulation.step(NONE);
        }
        assertThat(counting.steps).isSorted().last().isEqualTo(NOW.plusSeconds(1));
    }

    @Test
    void aRestart_takesBackOpenRowsFirst_thenFillsTheGapSinceTheLastWrite_atMostTheHistorySpan() {
        Arrivals model = new Arrivals(Map.of("t1", 3600.0), Arrivals.Shape.AROUND_THE_CLOCK, Duration.ofHours(2), Duration.ofSeconds(60));
        Counting recent = new Counting(model);
        Counting old = new Counting(model);
        try (SqliteStore store = SqliteStore.open(dir.resolve("restart.db"))) {
            store.migrate(List.of());
            new Simulation(store, DatasetCatalog.of(List.of()), new MutableClock(NOW), Simulation.MODEL_RATE, List.of(recent))
                    .resume(NOW.minus(Duration.ofMinutes(30)));
            new Simulation(store, DatasetCatalog.of(List.of()), new MutableClock(NOW), Simulation.MODEL_RATE, List.of(old))
                    .resume(NOW.minus(Duration.ofDays(3)));
        }
        assertThat(recent.resumed).as("open rows taken back before the first step").isTrue();
        assertThat(recent.steps.getFirst()).isEqualTo(NOW.minus(Duration.ofMinutes(29)));
        assertThat(recent.steps.getLast()).isEqualTo(NOW);
        assertThat(old.steps.getFirst()).as("a gap longer than the history is filled as far back as the history").isEqualTo(NOW.minus(Duration.ofMinutes(119)));
    }
}
