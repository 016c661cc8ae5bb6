package dev.switchboard.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Position;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A topic's resume ring is bounded by events and by bytes; what it dropped, it no longer claims to replay. */
class TopicRingTest {
    private static Event event(long seq, int size) {
        return new Event("delta", "t", new Position("e", seq), new byte[size]);
    }

    @Test
    void theByteBound_dropsTheOldestEvents_andRaisesTheFloor() {
        Topic t = new Topic("t", TopicKind.DASHBOARD, "", new Position("e", 0), 1000, 10_000, 1, 0);
        for (long s = 1; s <= 10; s++) {
            t.record(event(s, 3_000), 0);
        }
        assertThat(t.bytes()).isLessThanOrEqualTo(10_000);
        assertThat(t.floor()).isEqualTo(new Position("e", 7)); // three events of 3,000 bytes fit
        assertThat(t.since(new Position("e", 6))).isEmpty();
        Optional<List<Event>> replay = t.since(new Position("e", 7));
        assertThat(replay).isPresent();
        assertThat(replay.get()).extracting(Event::position).containsExactly(new Position("e", 8), new Position("e", 9), new Position("e", 10));
    }

    @Test
    void anEventLargerThanTheBound_isStillKept_alone() {
        Topic t = new Topic("t", TopicKind.DASHBOARD, "", new Position("e", 0), 1000, 10_000, 1, 0);
        t.record(event(1, 100), 0);
        t.record(event(2, 50_000), 0);
        assertThat(t.floor()).isEqualTo(new Position("e", 1));
        assertThat(t.since(new Position("e", 1)).orElseThrow()).hasSize(1);
        t.record(event(3, 100), 0);
        assertThat(t.floor()).isEqualTo(new Position("e", 2));
        assertThat(t.bytes()).isEqualTo(100);
    }

    @Test
    void theCountBound_stillHolds() {
        Topic t = new Topic("t", TopicKind.DASHBOARD, "", new Position("e", 0), 4, Hub.RING_BYTES, 1, 0);
        for (long s = 1; s <= 10; s++) {
            t.record(event(s, 10), 0);
        }
        assertThat(t.floor()).isEqualTo(new Position("e", 6));
        assertThat(t.bytes()).isEqualTo(40);
    }
}
