package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PurgeOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The edge side against the machine's NATS: reading from any position, history beyond, floor, warm start, commits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private String url;
    private String stream;
    private Broker broker;
    private final MemorySource log = new MemorySource();
    private Relay relay;

    @BeforeAll
    void publish() {
        url = NatsTestServer.shared();
        stream = NatsTestServer.streamName("source");
        broker = Broker.connect(new Broker.Settings(url, stream, Duration.ofHours(1), 1L << 30), "source-test");
        for (int i = 0; i < 1_500; i++) {
            log.commit(1 + i % 4);
        }
        relay = broker.relay(log, () -> true, Clock.systemUTC());
        relay.start();
        awaitPublished();
    }

    private void awaitPublished() {
        Awaitility.await().atMost(WAIT).until(() -> relay.acknowledged().equals(log.head()));
    }

    @AfterAll
    void cleanUp() throws Exception {
        relay.close();
        broker.close();
        NatsTestServer.deleteStream(url, stream);
    }

    /** Reads as the feed does: from {@code after}, batch after batch, until {@code n} changes arrived. */
    private static List<Change> drain(ChangeSource s, Position after, int n) throws InterruptedException {
        List<Change> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        Position at = after;
        while (out.size() < n && System.nanoTime() < deadline) {
            List<Change> batch = s.read(at, 512);
            if (batch.isEmpty()) {
                s.awaitSignal(100);
                continue;
            }
            out.addAll(batch);
            at = batch.getLast().position();
        }
        return out;
    }

    @Test
    void read_fromAnyPosition_deliversExactlyTheChangesAfterIt_andFollowsNewOnes() throws Exception {
        List<Change> all = log.all();
        try (ChangeSource s = broker.source(MemorySource.EPOCH)) {
            assertThat(drain(s, Position.start(MemorySource.EPOCH), all.size())).containsExactlyElementsOf(all);
            Position middle = all.get(all.size() / 2).position();
            // a read elsewhere moves the reader there (a binary search over the stream)
            assertThat(drain(s, middle, all.size() - all.size() / 2 - 1)).containsExactlyElementsOf(all.subList(all.size() / 2 + 1, all.size()));
            List<Change> fresh = log.commit(3);
            assertThat(drain(s, all.getLast().position(), 3)).containsExactlyElementsOf(fresh);
            assertThat(s.head()).isEqualTo(fresh.getLast().position());
            assertThat(s.problem()).isEmpty();
        }
        awaitPublished();
    }

    @Test
    void history_beyondTheRings_comesFromTheStream_forOneTenant() {
        List<Change> all = log.all();
        Position after = all.get(100).position();
        Position upto = all.get(900).position();
        try (ChangeSource s = broker.source(MemorySource.EPOCH)) {
            List<Change> t1 = s.history(after, upto, "t1", 10_000);
            assertThat(t1).containsExactlyElementsOf(all.subList(101, 901).stream().filter(c -> c.tenant().equals("t1")).toList());
            assertThatThrownBy(() -> s.history(after, upto, "t1", 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than 10");
        }
    }

    @Test
    void warmStart_isBeforeTheNewestChanges() {
        List<Change> all = log.all();
        try (ChangeSource s = broker.source(MemorySource.EPOCH)) {
            Position warm = s.warmStart(100);
            int before = all.size() - 100 - 1;
            assertThat(warm).isEqualTo(all.get(before).position());
            assertThat(s.warmStart(1_000_000)).as("the stream's floor when it holds fewer").isEqualTo(s.floor());
        }
    }

    @Test
    void awaitTransaction_answersWithTheLastChangeOfTheCommit() throws Exception {
        try (ChangeSource s = broker.source(MemorySource.EPOCH)) {
            Position before = log.head();
            drain(s, before, 0);
            s.read(before, 1); // start reading at the head
            List<Change> tx = log.commit(4);
            assertThat(s.awaitTransaction(tx.getFirst().source().xid(), before, WAIT)).contains(tx.getLast().position());
            assertThat(s.awaitTransaction(999_999, before, Duration.ofMillis(50))).isEmpty();
        }
        awaitPublished();
    }

    @Test
    void anotherEpoch_isRefusedWithAnActionableMessage() {
        try (ChangeSource s = broker.source("otherdb")) {
            assertThatThrownBy(() -> s.warmStart(10)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another change log").hasMessageContaining("--broker-stream");
        }
    }

    @Test
    void floor_risesAsRetentionDropsTheOldest_andOlderResumesAreRefused() throws Exception {
        String other = NatsTestServer.streamName("floor");
        MemorySource small = new MemorySource();
        for (int i = 0; i < 50; i++) {
            small.commit(1);
        }
        try (Broker b = Broker.connect(new Broker.Settings(url, other, Duration.ofHours(1), 1L << 30), "floor-test");
             Relay r = b.relay(small, () -> true, Clock.systemUTC()); ChangeSource s = b.source(MemorySource.EPOCH)) {
            r.start();
            Awaitility.await().atMost(WAIT).until(() -> r.acknowledged().equals(small.head()));
            List<Change> all = small.all();
            assertThat(s.floor()).as("one before the first message: nothing recorded before it").isEqualTo(
                    new Position(MemorySource.EPOCH, all.getFirst().position().seq() - 1));
            try (Connection c = Nats.connect(url)) {
                c.jetStreamManagement().purgeStream(other, PurgeOptions.builder().sequence(21).build()); // keeps 21..50
            }
            assertThat(s.floor()).as("the change before the oldest held, as the oldest recorded it").isEqualTo(all.get(19).position());
            assertThatThrownBy(() -> s.history(all.get(5).position(), all.getLast().position(), "t1", 100))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");
            assertThat(s.history(all.get(19).position(), all.getLast().position(), "t1", 100))
                    .containsExactlyElementsOf(all.subList(20, 50).stream().filter(c -> c.tenant().equals("t1")).toList());
        } finally {
            NatsTestServer.deleteStream(url, other);
        }
    }
}
