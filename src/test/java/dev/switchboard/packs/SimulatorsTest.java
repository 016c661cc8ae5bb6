package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.Dataset;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SimulatorsTest {
    private static final Instant START = Instant.parse("2025-10-30T08:00:00Z");
    /** Two simulated hours per pack, shared by the tests that only inspect the outcome. */
    private static final Map<String, RecordingWriter> TWO_HOURS = new ConcurrentHashMap<>();

    static List<String> packs() {
        return PackFiles.packs();
    }

    /** Steps a fresh simulator every 5 seconds of simulated time. */
    private static RecordingWriter run(String pack, long seed, int steps) {
        Simulator simulator = Simulators.forPack(pack).orElseThrow();
        RecordingWriter writer = new RecordingWriter(PackFiles.datasets(pack));
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < steps; i++) {
            writer.now = START.plus(Duration.ofSeconds(5L * i));
            simulator.step(writer.now, Traffic.uniform(simulator, 4, random), random, writer);
        }
        return writer;
    }

    private static RecordingWriter twoHours(String pack) {
        return TWO_HOURS.computeIfAbsent(pack, p -> run(p, 42, 1440));
    }

    @Test
    void everyPack_hasASimulatorNamedForIt() {
        assertThat(Simulators.packs()).containsExactlyInAnyOrderElementsOf(PackFiles.packs());
        assertThat(Simulators.all()).doesNotContainAnyElementsOf(Simulators.all());
    }

    @ParameterizedTest
    @MethodSource("packs")
    void simulatedRows_passValidation_andKeepRequiredColumns(String pack) {
        // The writer fails on any invalid row, lost required column or bad delete.
        RecordingWriter writer = twoHours(pack);

        assertThat(writer.written).as("datasets written")
                .containsExactlyInAnyOrderElementsOf(PackFiles.datasets(pack).stream().map(Dataset::name)
                        .filter(d -> !PackFiles.WRITTEN_BY_THE_DATABASE.contains(d)).toList());
        assertThat(writer.tenants).as("tenants").hasSizeGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("packs")
    void simulation_createsUpdatesDeletesAndWritesLateEvents(String pack) {
        RecordingWriter writer = twoHours(pack);

        assertThat(writer.creates).as("creates").isGreaterThan(100);
        assertThat(writer.updates).as("updates").isGreaterThan(100);
        assertThat(writer.deletes).as("deletes").isPositive();
        assertThat(writer.late).as("rows created with a time in the past hour").isPositive();
    }

    @ParameterizedTest
    @MethodSource("packs")
    void simulation_isDeterministic_forAFixedSeed(String pack) {
        assertThat(run(pack, 7, 300).log).isEqualTo(run(pack, 7, 300).log);
        assertThat(run(pack, 7, 300).log).isNotEqualTo(run(pack, 8, 300).log);
    }

    @Test
    void calls_startActiveWithoutOutcome_andEndWithDurationAndAWeightedOutcome() {
        RecordingWriter writer = twoHours("calls");
        List<Map<String, Object>> calls = writer.rows(CallsSimulator.DATASET);

        for (Map<String, Object> call : calls) {
            if (call.get("status").equals("active")) {
                assertThat(call.get("outcome")).as("active call outcome").isNull();
                assertThat(call.get("ended_at")).as("active call ended_at").isNull();
            } else {
                assertThat(call.get("outcome")).isIn("completed", "no_answer", "failed", "voicemail", "busy");
                assertThat((Long) call.get("duration")).isNotNegative();
                assertThat(Instant.parse((String) call.get("ended_at"))).isAfterOrEqualTo(Instant.parse((String) call.get("started_at")));
            }
        }
        Map<Object, Long> outcomes = calls.stream().filter(c -> c.get("outcome") != null)
                .collect(Collectors.groupingBy(c -> c.get("outcome"), Collectors.counting()));
        assertThat(outcomes).containsOnlyKeys("completed", "no_answer", "failed", "voicemail", "busy");
        assertThat(outcomes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey()).isEqualTo("completed");
        assertThat(calls.stream().filter(c -> c.get("status").equals("active"))).as("calls still running").isNotEmpty();
    }

    @Test
    void simulatedTenants_areDistinctAcrossPacks() {
        Map<String, List<String>> byPack = packs().stream().collect(Collectors.toMap(Function.identity(),
                p -> List.copyOf(twoHours(p).tenants)));
        List<String> all = byPack.values().stream().flatMap(List::stream).toList();
        assertThat(all).as("tenants " + byPack).doesNotHaveDuplicates();
    }
}
