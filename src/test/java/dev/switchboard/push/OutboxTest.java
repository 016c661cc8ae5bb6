package dev.switchboard.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import dev.switchboard.hub.Hub;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The outbox in memory: bound, coalescing, holding, overflow and the resume point. */
class OutboxTest {
    private static Position p(long seq) {
        return new Position("e1", seq);
    }

    private static Event change(long seq) {
        return Hub.event("change", "data/t1/call_logs", p(seq), Map.of("key", "k" + seq));
    }

    private static Event delta(String topic, long seq, Map<String, Object> widgets) {
        return Event.delta(topic, "calls", "t1", p(seq), widgets);
    }

    private static Outbox opened(int capacity) {
        Outbox o = new Outbox(capacity);
        assertThat(o.open(List.of())).isEqualTo(Outbox.Opened.OPENED);
        return o;
    }

    @Test
    void offer_beyondCapacity_overflowsOnce_andDropsTheQueue() {
        Outbox o = opened(3);
        for (int i = 1; i <= 3; i++) {
            assertThat(o.offer(change(i))).isEqualTo(Outbox.Offer.QUEUED);
        }
        assertThat(o.offer(change(4))).isEqualTo(Outbox.Offer.OVERFLOWED);
        assertThat(o.size()).isZero();
        assertThat(o.offer(change(5))).isEqualTo(Outbox.Offer.IGNORED); // until the resync holds it again
    }

    @Test
    void deltas_ofOneDashboard_mergeIntoTheNewest_withoutLosingWidgets() {
        Outbox o = opened(10);
        o.offer(delta("dashboard/t1/calls", 1, Map.of("a", 1, "b", 1)));
        o.offer(change(2));
        o.offer(delta("dashboard/t1/calls", 3, Map.of("a", 2)));
        o.offer(delta("dashboard/t1/other", 4, Map.of("x", 9)));
        o.offer(delta("dashboard/t1/calls", 5, Map.of("c", 3)));
        List<Object> out = o.drain(100);
        assertThat(out).hasSize(3);
        assertThat(((Event) out.get(0)).type()).isEqualTo("change");
        assertThat(((Event) out.get(1)).topic()).isEqualTo("dashboard/t1/other");
        Event merged = (Event) out.get(2);
        assertThat(merged.position()).isEqualTo(p(5));
        assertThat(merged.widgets().orElseThrow()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2, "b", 1, "c", 3));
        assertThat(new String(merged.json())).contains("\"position\":\"e1-5\"");
        assertThat(o.lastWritten()).contains(p(5));
    }

    @Test
    void merging_doesNotCountAgainstTheBound() {
        Outbox o = opened(2);
        for (int i = 1; i <= 100; i++) {
            assertThat(o.offer(delta("dashboard/t1/calls", i, Map.of("a", i)))).isEqualTo(Outbox.Offer.QUEUED);
        }
        assertThat(o.size()).isEqualTo(1);
    }

    @Test
    void holding_writesNothing_andTheOpeningGoesBeforeLiveEvents() {
        Outbox o = new Outbox(10);
        o.resumeFrom(Optional.of(p(1)));
        o.offer(change(5)); // live, registered before the opening was queued
        assertThat(o.drain(10)).isEmpty();
        ByteBuffer preamble = ByteBuffer.wrap(new byte[] {1});
        assertThat(o.open(List.of(preamble, change(2), change(3)))).isEqualTo(Outbox.Opened.OPENED);
        List<Object> out = o.drain(10);
        assertThat(out).hasSize(4);
        assertThat(out.get(0)).isSameAs(preamble);
        assertThat(((Event) out.get(3)).position()).isEqualTo(p(5));
    }

    @Test
    void openingEvents_mayExceedTheBound_liveOnesMayNot() {
        Outbox o = new Outbox(2);
        assertThat(o.open(List.of(change(1), change(2), change(3), change(4)))).isEqualTo(Outbox.Opened.OPENED);
        assertThat(o.offer(change(5))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(o.offer(change(6))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(o.drain(4)).hasSize(4); // the opening is written: the allowance is used up
        assertThat(o.offer(change(7))).isEqualTo(Outbox.Offer.OVERFLOWED);
    }

    @Test
    void overflowWhileHolding_makesTheOpeningStartOver() {
        Outbox o = new Outbox(1);
        o.offer(change(1));
        assertThat(o.offer(change(2))).isEqualTo(Outbox.Offer.IGNORED);
        assertThat(o.open(List.of(change(0)))).isEqualTo(Outbox.Opened.OVERFLOWED);
    }

    @Test
    void resume_startsFromTheLastEventHandedToTheWriter() {
        Outbox o = opened(10);
        o.resumeFrom(Optional.of(p(1)));
        o.offer(change(2));
        o.offer(change(3));
        o.drain(1);
        assertThat(o.lastWritten()).contains(p(2));
        o.offer(Event.ephemeral("notice", "system", p(9), Map.of()));
        o.drain(10);
        assertThat(o.lastWritten()).contains(p(3)); // ephemeral events carry no resumable position
        o.hold();
        assertThat(o.lastWritten()).contains(p(3));
        assertThat(o.size()).isZero();
    }

    @Test
    void heartbeat_isQueuedOnlyWhenIdle() {
        Outbox o = opened(10);
        assertThat(o.idle(ByteBuffer.allocate(1))).isTrue();
        o.drain(10);
        o.offer(change(1));
        assertThat(o.idle(ByteBuffer.allocate(1))).isFalse();
    }

    /**
     * The interleaving behind a duplicate seen in a full run: a fan-out thread checked its link,
     * the session resynchronized (hold), then the offer for the old registration landed. The new
     * opening replays that event, so the late offer must be ignored rather than queued behind it.
     */
    @Test
    void offerForAnOlderRegistration_afterHold_isIgnored() {
        Outbox o = opened(1);
        long old = o.generation();
        o.offer(old, change(1));
        assertThat(o.offer(old, change(2))).isEqualTo(Outbox.Offer.OVERFLOWED);
        long next = o.hold();
        assertThat(o.offer(old, change(2))).isEqualTo(Outbox.Offer.IGNORED);
        assertThat(o.open(old, List.of(change(1)))).isEqualTo(Outbox.Opened.STALE);
        assertThat(o.offer(next, change(3))).isEqualTo(Outbox.Offer.QUEUED);
        assertThat(o.open(next, List.of(change(1), change(2)))).isEqualTo(Outbox.Opened.OPENED);
        assertThat(o.drain(10)).extracting(e -> ((Event) e).position()).containsExactly(p(1), p(2), p(3));
    }
    @Test
    void farewell_afterWhatIsQueued_carriesTheLastPositionWritten_andNothingFollowsIt() {
        Outbox o = opened(10);
        o.offer(change(1));
        assertThat(o.drain(10)).hasSize(1);
        o.offer(change(2));
        assertThat(o.farewell()).isTrue();
        assertThat(o.farewell()).as("once").isFalse();
        assertThat(o.offer(change(3))).as("live events after it go to the node the client resumes on").isEqualTo(Outbox.Offer.IGNORED);
        assertThat(o.control(ByteBuffer.allocate(1))).isFalse();
        List<Object> out = o.drain(10);
        assertThat(out).hasSize(2);
        assertThat(((Event) out.get(0)).position()).isEqualTo(p(2));
        assertThat(out.get(1)).isEqualTo(new Outbox.Farewell(Optional.of(p(2))));
        assertThat(o.size()).isZero();
        assertThat(o.drain(10)).isEmpty();
    }

    @Test
    void farewell_whileAnOpeningIsBuilt_staysLast_evenAcrossAResynchronization() {
        Outbox o = new Outbox(10);
        o.resumeFrom(Optional.of(p(4)));
        assertThat(o.farewell()).isTrue();
        assertThat(o.drain(10)).as("holding").isEmpty();
        long gen = o.hold(); // a resynchronization begins: the farewell is kept
        assertThat(o.open(gen, List.of(change(5), change(6)))).isEqualTo(Outbox.Opened.OPENED);
        List<Object> out = o.drain(10);
        assertThat(out).hasSize(3);
        assertThat(out.get(2)).isEqualTo(new Outbox.Farewell(Optional.of(p(6))));
    }

    @Test
    void drain_handsLiveEventsToTheLatencyRecorder_notTheOpening() {
        Outbox o = new Outbox(10);
        o.offer(change(2));
        o.open(List.of(change(1)));
        List<Event> live = new java.util.ArrayList<>();
        assertThat(o.drain(10, live::add)).hasSize(2);
        assertThat(live).extracting(Event::position).containsExactly(p(2));
    }
}
