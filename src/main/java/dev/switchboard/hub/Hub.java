package dev.switchboard.hub;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.live.DeltaSink;
import dev.switchboard.live.ViewKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics, fan-out and resume. Changes become {@code change} events on dataset topics
 * ({@code data/<tenant>/<dataset>}); view deltas become {@code delta} events on dashboard topics.
 * Each event is encoded once, however many subscribers it has. Topic state belongs to the feed's
 * owner thread: {@link #subscribe}, {@link #unsubscribe} and {@link #reaches} are called there
 * (inside a command given to {@link ChangeFeed#execute} or {@link ChangeFeed#call}); delivery runs
 * on the fan-out threads.
 */
public final class Hub implements ChangeFeed.Listener, DeltaSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
    /** Events each topic keeps for resuming. The default is 4096. */
    public static final int RING = 4096;
    /**
     * JSON bytes each topic's ring keeps at most, whatever its event count: a dashboard whose deltas
     * carry long lists would otherwise keep hundreds of MB per busy topic. Beyond it a resuming
     * client gets what it would beyond the count (a backfill from the change log, or a snapshot).
     * The default is 8 MiB.
     */
    public static final long RING_BYTES = 8L << 20;
    /** Topics with no subscriber and no event for this long are dropped. The default is 10 minutes. */
    static final Duration IDLE = Duration.ofMinutes(10);

    private final ChangeFeed feed;
    private final Duration idle;
    private final Clock clock;
    private final int ring;
    private final long ringBytes;
    private final Fanout fanout;
    private final Map<String, Topic> topics = new HashMap<>();
    /** Slice topics by the dataset topic they filter: the slices a change of that topic may touch. */
    private final Map<String, Map<String, Slice>> slices = new HashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile int topicCount;
    private volatile int subscriberCount;
    /** No topic created from now on can replay from before this: older events were never kept or were swept. */
    private Position horizon;
    /**
     * While a batch is dispatched (owner thread): when its newest change was committed, in epoch
     * microseconds, which the deltas it causes carry for the commit-to-push latency; 0 otherwise.
     */
    private long batchCommitted;

    /** A hub whose topics can replay changes after {@code start}, where the feed begins; one fan-out thread per core. */
    public Hub(ChangeFeed feed, Clock clock, int ring, Position start) {
        this(feed, clock, ring, start, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public Hub(ChangeFeed feed, Clock clock, int ring, Position start, int fanoutThreads) {
        this(feed, clock, ring, start, fanoutThreads, IDLE);
    }

    /** A hub dropping topics without subscribers or events for {@code idle}. */
    public Hub(ChangeFeed feed, Clock clock, int ring, Position start, int fanoutThreads, Duration idle) {
        this(feed, clock, ring, RING_BYTES, start, fanoutThreads, idle);
    }

    /** A hub whose topic rings keep at most {@code ring} events and {@code ringBytes} bytes of JSON each. */
    public Hub(ChangeFeed feed, Clock clock, int ring, long ringBytes, Position start, int fanoutThreads, Duration idle) {
        this.ringBytes = ringBytes;
        this.idle = idle;
        this.feed = feed;
        this.clock = clock;
        this.ring = ring;
        this.horizon = start;
        this.fanout = new Fanout(fanoutThreads);
    }

    public static String datasetTopic(String tenant, String dataset) {
        return "data/" + tenant + "/" + dataset;
    }

    @Override
    public void onChanges(List<Change> batch) {
        long now = clock.millis();
        for (Change c : batch) {
            batchCommitted = Math.max(batchCommitted, Event.micros(c.commitTime()));
            if (c.op() == Op.TRUNCATE) {
                truncated(c, now);
                continue;
            }
            Topic t = topic(TopicKind.DATASET, datasetTopic(c.tenant(), c.dataset()), c.dataset());
            Event e;
            try {
                e = changeEvent(c);
            } catch (RuntimeException ex) {
                // never skip a change silently: the topic's subscribers are told to reload
                failures.incrementAndGet();
                LOG.error("encoding change {} failed; its dataset topic gets a reset", c.position(), ex);
                e = event("reset", t.name, c.position(), Map.of("dataset", c.dataset(), "position", c.position().toString(),
                        "reason", "a change could not be encoded; reload the dataset"));
            }
            publish(t, e, now);
            publishSlices(t.name, c, now);
        }
    }

    /** A {@link TopicKind#SLICE} topic and the rows it lets through. */
    private record Slice(Topic topic, java.util.function.Predicate<dev.switchboard.change.Row> rows) {}

    /** The change as each slice of its dataset topic sees it, to those it touches. */
    private void publishSlices(String datasetTopic, Change c, long now) {
        Map<String, Slice> of = slices.get(datasetTopic);
        if (of == null) {
            return;
        }
        for (Slice s : of.values()) {
            Optional<Change> seen;
            Event e;
            try {
                seen = RowScope.seen(c, s.rows());
                if (seen.isEmpty()) {
                    continue;
                }
                e = changeEvent(seen.get(), s.topic().name);
            } catch (RuntimeException ex) {
                failures.incrementAndGet();
                LOG.error("filtering or encoding change {} for {} failed; the slice gets a reset", c.position(), s.topic().name, ex);
                e = event("reset", s.topic().name, c.position(), Map.of("dataset", c.dataset(), "position", c.position().toString(),
                        "reason", "a change could not be encoded; reload the dataset"));
            }
            publish(s.topic(), e, now);
        }
    }

    private void publish(Topic t, Event e, long now) {
        t.record(e, now);
        if (!t.members.isEmpty()) {
            fanout.publish(t, e);
        }
        published.incrementAndGet();
    }

    @Override
    public void afterWork() {
        fanout.send();
        batchCommitted = 0; // deltas from now on (ticks, refills) were caused by no commit of this batch
    }

    /**
     * A dataset was emptied for every tenant: each of its topics gets a {@code reset} (kept in the
     * ring, so a client resuming from before it reloads too), and topics created from now on
     * cannot replay from before it.
     */
    private void truncated(Change c, long now) {
        for (Topic t : topics.values()) {
            if ((t.kind == TopicKind.DATASET || t.kind == TopicKind.SLICE) && t.dataset.equals(c.dataset())) {
                publish(t, truncateEvent(t.name, c), now);
            }
        }
        horizon = c.position();
    }

    /** The event {@code tenant}'s topic of the change's dataset carries for it, as a replay gives it. */
    public static Event datasetEvent(String tenant, Change c) {
        return c.op() == Op.TRUNCATE ? truncateEvent(datasetTopic(tenant, c.dataset()), c) : changeEvent(c);
    }

    /** The {@code reset} event a dataset topic carries for a truncate of its dataset. */
    private static Event truncateEvent(String topic, Change c) {
        return event("reset", topic, c.position(), Map.of("dataset", c.dataset(), "position", c.position().toString(),
                "reason", "the dataset was truncated (all of its rows were removed); reload it"));
    }

    /** The {@code change} event of one change, as its dataset topic carries it. */
    public static Event changeEvent(Change c) {
        return changeEvent(c, datasetTopic(c.tenant(), c.dataset()));
    }

    /** The {@code change} event of one change on topic {@code name}. */
    static Event changeEvent(Change c, String name) {
        JsonBytes body = JsonBytes.start(384).raw('{')
                .name("dataset").value(c.dataset()).raw(',')
                .name("tenant").value(c.tenant()).raw(',')
                .name("op").value(c.op().code()).raw(',')
                .name("key").value(c.key()).raw(',')
                .name("before").value(c.before().present() ? c.before().values() : null).raw(',')
                .name("after").value(c.after().present() ? c.after().values() : null).raw(',')
                .name("position").value(c.position().toString()).raw(',')
                .name("commit_time").value(c.commitTime().toString()).raw('}');
        return new Event("change", name, c.position(), body.toBytes(), Event.micros(c.commitTime()));
    }

    @Override
    public void delta(ViewKey view, Position position, Map<String, Object> widgets) {
        Topic t = topic(TopicKind.DASHBOARD, view.topic(), "");
        publish(t, Event.delta(t.name, view.dashboard(), view.tenant(), position, widgets, batchCommitted), clock.millis());
    }

    /** An alert fired or resolved: an {@code alert} event on the view's topic, kept in its ring like a delta. */
    @Override
    public void alert(ViewKey view, Position position, Map<String, Object> alert) {
        Topic t = topic(TopicKind.DASHBOARD, view.topic(), "");
        publish(t, event("alert", t.name, position, alert), clock.millis());
    }

    /**
     * Sends an event to the current subscribers of an {@link TopicKind#EPHEMERAL} topic: not kept,
     * never replayed, written without an id. Any thread.
     */
    public void broadcast(String topic, String type, Object body) {
        feed.execute(() -> publish(topic(TopicKind.EPHEMERAL, topic, ""), Event.ephemeral(type, topic, feed.position(), body), clock.millis()));
    }

    private Topic topic(TopicKind kind, String name, String dataset) {
        Topic t = topics.get(name);
        if (t == null) {
            Position floor = kind == TopicKind.DATASET ? horizon : feed.position();
            t = new Topic(name, kind, dataset, floor, ring, ringBytes, fanout.shards(), clock.millis());
            topics.put(name, t);
            topicCount = topics.size();
        } else if (t.kind != kind) {
            throw new IllegalStateException("topic " + name + " is a " + t.kind + " topic, not " + kind);
        }
        return t;
    }

    /**
     * Registers {@code subscriber} on a topic and returns the events it missed after
     * {@code resumeFrom}, or empty when the ring cannot tell (the caller then resnapshots). Owner
     * thread only, in the same command as whatever snapshot the caller sends first, so nothing is
     * published in between.
     */
    public Optional<List<Event>> subscribe(TopicKind kind, String topic, String dataset, Optional<Position> resumeFrom, Subscriber subscriber) {
        requireOwner();
        Topic t = topic(kind, topic, dataset);
        if (t.members.add(subscriber)) {
            t.perShard[fanout.shardOf(subscriber)]++;
            subscriberCount++;
            fanout.join(t, subscriber);
        }
        return resumeFrom.flatMap(t::since);
    }

    /**
     * Registers {@code subscriber} on the topic that carries {@code dataset} of {@code tenant} to
     * viewers of {@code scope} (the dataset topic itself for the whole tenant), as
     * {@link #subscribe} does. A slice topic is created on its first subscription, so its ring
     * starts then. Owner thread only.
     */
    public Optional<List<Event>> subscribe(String tenant, String dataset, RowScope scope, Optional<Position> resumeFrom,
                                           Subscriber subscriber) {
        if (scope.whole()) {
            return subscribe(TopicKind.DATASET, scope.topic(tenant, dataset), dataset, resumeFrom, subscriber);
        }
        requireOwner();
        String name = scope.topic(tenant, dataset);
        Map<String, Slice> of = slices.computeIfAbsent(datasetTopic(tenant, dataset), k -> new HashMap<>());
        if (!of.containsKey(name)) {
            of.put(name, new Slice(topic(TopicKind.SLICE, name, dataset), scope.of(dataset)));
        }
        return subscribe(TopicKind.SLICE, name, dataset, resumeFrom, subscriber);
    }

    /** Whether the ring of {@code topic} can replay everything after {@code from}. Owner thread only. */
    public boolean reaches(TopicKind kind, String topic, Position from) {
        requireOwner();
        Topic t = topics.get(topic);
        Position floor = t != null ? t.floor() : kind == TopicKind.DATASET ? horizon : feed.position();
        return kind.resumable() && from.sameEpoch(floor) && from.compareTo(floor) >= 0;
    }

    /** Removes {@code subscriber} from a topic it joined. Owner thread only. */
    public void unsubscribe(String topic, Subscriber subscriber) {
        requireOwner();
        Topic t = topics.get(topic);
        if (t != null && t.members.remove(subscriber)) {
            t.perShard[fanout.shardOf(subscriber)]--;
            subscriberCount--;
            fanout.leave(t, subscriber);
        }
    }

    private void requireOwner() {
        if (!feed.onOwner()) {
            throw new IllegalStateException("hub topics are changed on the change feed's owner thread only");
        }
    }

    /** Encodes a one-off event (a snapshot for one subscriber, a reset notice). */
    public static Event event(String type, String topic, Position position, Object body) {
        return new Event(type, topic, position, JsonBytes.encode(body));
    }

    /** Drops idle topics without subscribers; the server calls this periodically. */
    public void sweep() {
        long now = clock.millis();
        feed.execute(() -> {
            if (topics.values().removeIf(t -> t.members.isEmpty() && now - t.lastActive > idle.toMillis())) {
                horizon = feed.position();
                slices.values().forEach(of -> of.keySet().retainAll(topics.keySet()));
                slices.values().removeIf(Map::isEmpty);
            }
            topicCount = topics.size();
        });
    }

    public long published() {
        return published.get();
    }

    /** Subscriptions the fan-out threads dropped because their subscriber was done (an overflowed or ended stream). */
    public long forgotten() {
        return fanout.forgotten();
    }

    /** Events handed to subscribers' queues since start (one per subscriber per event). */
    public long deliveries() {
        return fanout.deliveries();
    }

    /**
     * How long published events wait for a fan-out thread to offer them to subscribers, in
     * milliseconds: the largest over the fan-out threads, 0 when they keep up.
     */
    public long deliveryLagMillis() {
        return fanout.lagMillis();
    }

    /**
     * The longest published events waited for a fan-out thread over the last 8–10 s (and now), in
     * milliseconds: what health judges by, so that a stall between two samples is not missed.
     */
    public long worstDeliveryLagMillis() {
        return fanout.worstLagMillis();
    }

    /** Events that could not be encoded and were replaced by a reset. */
    public long failures() {
        return failures.get();
    }

    public int topicCount() {
        return topicCount;
    }

    public int subscriberCount() {
        return subscriberCount;
    }

    @Override
    public void close() {
        fanout.close();
    }
}
