package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The capture side against the machine's NATS: exactly once into the stream, in order, across restarts and rivals. */
class RelayTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private String url;
    private String stream;
    private Broker broker;

    @BeforeEach
    void connect() {
        url = NatsTestServer.shared();
        stream = NatsTestServer.streamName("relay");
        broker = Broker.connect(new Broker.Settings(url, stream, Duration.ofHours(1), 1L << 30), "relay-test");
    }

    @AfterEach
    void cleanUp() throws Exception {
        broker.close();
        NatsTestServer.deleteStream(url, stream);
    }

    /** Every message of the stream, decoded, in stream order. */
    static List<ChangeCodec.Decoded> stream(Broker broker) throws Exception {
        List<ChangeCodec.Decoded> out = new ArrayList<>();
        long last = broker.streamInfo().map(i -> i.getStreamState().getLastSequence()).orElse(0L);
        if (last == 0) {
            return out;
        }
        try (IterableConsumer it = broker.orderedFrom(1, 512)) {
            for (long n = broker.streamInfo().orElseThrow().getStreamState().getMsgCount(); out.size() < n; ) {
                Message m = it.nextMessage(Duration.ofSeconds(5));
                assertThat(m).as("message " + (out.size() + 1) + " of " + n).isNotNull();
                out.add(ChangeCodec.decode(m.getData()));
            }
        }
        return out;
    }

    private static List<Position> positions(List<ChangeCodec.Decoded> messages) {
        return messages.stream().map(d -> d.change().position()).toList();
    }

    private Relay relay(MemorySource source, BooleanSupplier lease) {
        Relay r = broker.relay(source, lease, Clock.systemUTC());
        r.start();
        return r;
    }

    private void awaitStreamHolds(Position last) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> broker.streamInfo()
                .filter(i -> i.getStreamState().getMsgCount() > 0)
                .flatMap(i -> {
                    try {
                        return broker.positionAt(i.getStreamState().getLastSequence());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).filter(last::equals).isPresent());
    }

    @Test
    void publishes_everyChangeOnce_inOrder_markingTransactionEnds() throws Exception {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 300; i++) {
            source.commit(1 + i % 7);
        }
        try (Relay r = relay(source, () -> true)) {
            source.commit(3);
            awaitStreamHolds(source.head());
            Awaitility.await().atMost(WAIT).until(() -> r.acknowledged().equals(source.head()));
            assertThat(r.leading()).isTrue();
            assertThat(r.problem()).isEmpty();
        }
        List<ChangeCodec.Decoded> messages = stream(broker);
        assertThat(messages).extracting(ChangeCodec.Decoded::change).containsExactlyElementsOf(source.all());
        for (int i = 0; i < messages.size(); i++) {
            Change c = messages.get(i).change();
            boolean ends = i + 1 == messages.size() || messages.get(i + 1).change().source().commitLsn() != c.source().commitLsn();
            assertThat(messages.get(i).lastOfTransaction()).as("transaction end marked at " + c.position()).isEqualTo(ends);
        }
    }

    @Test
    void restarted_continuesAfterTheStreamsNewestChange_publishingNothingTwice() throws Exception {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 200; i++) {
            source.commit(2);
        }
        try (Relay first = relay(source, () -> true)) {
            awaitStreamHolds(source.head());
        }
        for (int i = 0; i < 200; i++) {
            source.commit(2);
        }
        try (Relay second = relay(source, () -> true)) {
            awaitStreamHolds(source.head());
            Awaitility.await().atMost(WAIT).until(() -> second.acknowledged().equals(source.head()));
            assertThat(second.duplicates()).as("it started after the stream's newest change").isZero();
            assertThat(second.published()).isEqualTo(400);
        }
        assertThat(positions(stream(broker))).containsExactlyElementsOf(source.all().stream().map(Change::position).toList());
    }

    @Test
    void twoActiveAtOnce_theStreamStillHoldsEachChangeOnceInOrder() throws Exception {
        // what a takeover looks like while the former active node has not yet noticed it lost the lease
        MemorySource source = new MemorySource();
        try (Relay a = relay(source, () -> true); Relay b = relay(source, () -> true)) {
            for (int i = 0; i < 2_000; i++) {
                source.commit(1 + i % 3);
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
            }
            awaitStreamHolds(source.head());
            System.out.printf("two active relays: a published %d (%d duplicates), b published %d (%d duplicates)%n",
                    a.published(), a.duplicates(), b.published(), b.duplicates());
        }
        assertThat(positions(stream(broker))).as("fenced by expected last message id, deduplicated by message id")
                .containsExactlyElementsOf(source.all().stream().map(Change::position).toList());
    }

    @Test
    void standby_followsTheStream_andTakesOverWhereItEnds() throws Exception {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 100; i++) {
            source.commit(2);
        }
        AtomicBoolean standbyLeads = new AtomicBoolean();
        try (Relay active = relay(source, () -> !standbyLeads.get()); Relay standby = relay(source, standbyLeads::get)) {
            awaitStreamHolds(source.head());
            Awaitility.await().atMost(WAIT).until(() -> standby.acknowledged().equals(source.head()));
            assertThat(standby.leading()).isFalse();
            assertThat(standby.published()).isZero();

            active.close(); // killed; the lease passes
            standbyLeads.set(true);
            for (int i = 0; i < 100; i++) {
                source.commit(2);
            }
            awaitStreamHolds(source.head());
            Awaitility.await().atMost(WAIT).until(() -> standby.acknowledged().equals(source.head()));
            assertThat(standby.leading()).isTrue();
            assertThat(standby.published()).isEqualTo(200);
            assertThat(standby.duplicates()).isZero();
        }
        assertThat(positions(stream(broker))).containsExactlyElementsOf(source.all().stream().map(Change::position).toList());
    }

    @Test
    void streamBehindTheSourcesFloor_refusesToPublishAndSaysWhy() throws Exception {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 10; i++) {
            source.commit(1);
        }
        try (Relay r = relay(source, () -> true)) {
            awaitStreamHolds(source.head());
        }
        for (int i = 0; i < 10; i++) {
            source.commit(1);
        }
        source.raiseFloor(source.all().get(15).position().seq()); // changes 11..16 left capture unpublished
        try (Relay r = relay(source, () -> true)) {
            Awaitility.await().atMost(WAIT).until(() -> r.problem().isPresent());
            assertThat(r.problem().orElseThrow()).contains("older than what this node's capture still holds");
            assertThat(r.published()).isZero();
        }
        assertThat(stream(broker)).hasSize(10);
    }
}
