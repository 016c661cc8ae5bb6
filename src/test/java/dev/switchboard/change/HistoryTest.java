package dev.switchboard.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One tenant's missed changes between two positions, read in batches from an in-memory log. */
class HistoryTest {
    private static final List<Change> LOG = new ArrayList<>();

    static {
        for (int i = 1; i <= 10_000; i++) {
            LOG.add(new Change(new Position("e", i), i % 3 == 0 ? "t1" : "t2", "call_logs", Op.CREATE, "k" + i, Row.NONE,
                    Row.of(Map.of("id", "k" + i)), Instant.EPOCH));
        }
    }

    private static List<Change> read(Position after, int max) {
        return LOG.stream().filter(c -> c.position().seq() > after.seq()).limit(max).toList();
    }

    @Test
    void collectsOnlyTheTenantsChanges_afterTheStart_upToTheEnd_acrossBatches() {
        List<Change> got = History.collect(HistoryTest::read, new Position("e", 10), new Position("e", 9_000), "t1", 100_000);
        assertThat(got).extracting(c -> c.position().seq()).first().isEqualTo(12L);
        assertThat(got).extracting(c -> c.position().seq()).last().isEqualTo(9_000L);
        assertThat(got).hasSize((9_000 - 12) / 3 + 1).allMatch(c -> c.tenant().equals("t1"));
    }

    @Test
    void moreThanMax_throws_soTheCallerResets() {
        assertThatThrownBy(() -> History.collect(HistoryTest::read, new Position("e", 0), new Position("e", 10_000), "t1", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 100");
    }

    @Test
    void nothingMissed_isEmpty() {
        assertThat(History.collect(HistoryTest::read, new Position("e", 500), new Position("e", 500), "t1", 10)).isEmpty();
    }
}
