package dev.switchboard.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery off the owner thread. Subscribers are spread over shards, each a thread with its own
 * subscriber sets and one mailbox. The owner queues publications, joins and leaves in the order it
 * makes them and sends them with {@link #send} after each piece of work, so a shard sees a
 * subscriber join exactly between the events its replay ends with and the ones it must receive
 * live. A shard offers each event to the topic's subscribers, then lets every subscriber it
 * touched flush once: one write per session for what is queued.
 *
 * <p>A shard sorts its work into lanes, one per tenant ({@link Topic#laneOf}), and takes them in
 * turn, at most {@link #SLICE_OFFERS} offers of a lane at a time, flushing after each round. Order
 * is kept within a lane, and a subscriber's topics are all in one lane, so each subscriber still
 * receives its events in publishing order; but a tenant's burst (a 500-row batch watched by
 * hundreds of streams is 100,000 offers or more) no longer holds up another tenant's events
 * queued behind it.
 */
final class Fanout implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

    private sealed interface Msg {
        /** The lane of the message's topic ({@link Topic#laneOf}). */
        String lane();
    }

    private record Publish(String topic, String lane, Event event) implements Msg {}

    private record Join(String topic, String lane, Subscriber subscriber) implements Msg {}

    private record Leave(String topic, String lane, Subscriber subscriber) implements Msg {}

    /** Messages the owner sent at once, and when (System.nanoTime). */
    private record Posted(long at, List<Msg> msgs) {}

    private final Shard[] shards;
    private final List<List<Msg>> pending = new ArrayList<>();
    private final AtomicLong deliveries = new AtomicLong();
    /** Subscribers dropped from their topics because they were {@linkplain Subscriber#done done}. */
    private final AtomicLong forgotten = new AtomicLong();

    Fanout(int shards) {
        this.shards = new Shard[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Shard(i);
            pending.add(new ArrayList<>());
        }
    }

    int shards() {
        return shards.length;
    }

    /** The shard that delivers to {@code s}: always the same one. */
    int shardOf(Subscriber s) {
        return Math.floorMod(System.identityHashCode(s), shards.length);
    }

    /** Queues {@code e} for the shards that have subscribers of {@code topic} (owner thread). */
    void publish(Topic topic, Event e) {
        for (int i = 0; i < shards.length; i++) {
            if (topic.perShard[i] > 0) {
                pending.get(i).add(new Publish(topic.name, topic.lane, e));
            }
        }
    }

    void join(Topic topic, Subscriber s) {
        pending.get(shardOf(s)).add(new Join(topic.name, topic.lane, s));
    }

    void leave(Topic topic, Subscriber s) {
        pending.get(shardOf(s)).add(new Leave(topic.name, topic.lane, s));
    }

    /** Hands what was queued since the last call to the shards (owner thread). */
    void send() {
        for (int i = 0; i < shards.length; i++) {
            List<Msg> p = pending.get(i);
            if (!p.isEmpty()) {
                pending.set(i, new ArrayList<>());
                shards[i].post(p);
            }
        }
    }

    /** Events offered to subscribers since start. */
    long forgotten() {
        return forgotten.get();
    }

    long deliveries() {
        return deliveries.get();
    }

    /**
     * How long the oldest work waiting in a shard's mailbox has waited, the largest over the
     * shards, in milliseconds (0 when nothing waits): how far delivery lags behind publishing,
     * also while a shard is stuck.
     */
    long lagMillis() {
        long max = 0;
        for (Shard s : shards) {
            max = Math.max(max, s.lagMillis());
        }
        return max;
    }

    /** Slots of {@link #SLOT_NANOS} over which {@link #worstLagMillis} remembers the longest wait. */
    static final int SLOTS = 5;
    static final long SLOT_NANOS = 2_000_000_000L;
    /** Per slot: which slot (nanoTime / SLOT_NANOS) it holds, and the longest wait taken from a mailbox in it. */
    private final java.util.concurrent.atomic.AtomicLongArray slotOf = new java.util.concurrent.atomic.AtomicLongArray(SLOTS);
    private final java.util.concurrent.atomic.AtomicLongArray worst = new java.util.concurrent.atomic.AtomicLongArray(SLOTS);

    /** A shard took work that had waited {@code nanos} in its mailbox. */
    private void waited(long nanos, long now) {
        long slot = now / SLOT_NANOS;
        int i = (int) Math.floorMod(slot, (long) SLOTS);
        long held = slotOf.get(i);
        if (held != slot && slotOf.compareAndSet(i, held, slot)) {
            worst.set(i, 0); // a new slot (a wait recorded by another shard in this instant may be lost: monitoring, not accounting)
        }
        worst.accumulateAndGet(i, nanos, Math::max);
    }

    /**
     * The longest any published work waited for a fan-out thread over the last 8–10 s, in
     * milliseconds, including what waits now: a stall that ended between two samples of health or
     * metrics still shows (the current {@link #lagMillis} alone is 0 again once it ends).
     */
    long worstLagMillis() {
        long now = System.nanoTime();
        long slot = now / SLOT_NANOS;
        long max = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slotOf.get(i) > slot - SLOTS) {
                max = Math.max(max, worst.get(i));
            }
        }
        return Math.max(lagMillis(), max / 1_000_000);
    }

    @Override
    public void close() {
        for (Shard s : shards) {
            s.stop();
        }
    }

    /** A set with O(1) add, remove and cache-friendly iteration; order does not matter. */
    private static final class Members {
        private final ArrayList<Subscriber> list = new ArrayList<>();
        private final Map<Subscriber, Integer> index = new HashMap<>();

        void add(Subscriber s) {
            if (index.putIfAbsent(s, list.size()) == null) {
                list.add(s);
            }
        }

        void remove(Subscriber s) {
            Integer i = index.remove(s);
            if (i == null) {
                return;
            }
            Subscriber last = list.remove(list.size() - 1);
            if (last != s) {
                list.set(i, last);
                index.put(last, i);
            }
        }

        boolean isEmpty() {
            return list.isEmpty();
        }
    }

    /** A subscriber to flush and how many items it had queued. */
    private record Queued(Subscriber subscriber, int queued) {}

    /** How long a flush writes before it lets the mailbox's waiting work go first. */
    static final long FLUSH_SLICE_NANOS = 5_000_000L;

    /** Offers a shard makes for one lane before it takes the next lane's work. */
    static final int SLICE_OFFERS = 4096;

    /** A run of one lane's messages out of one posting, and how far it has been handled. */
    private static final class Part {
        final long at;
        final List<Msg> msgs;
        int next;

        Part(long at, List<Msg> msgs) {
            this.at = at;
            this.msgs = msgs;
        }
    }

    private final class Shard implements Runnable {
        private final ConcurrentLinkedQueue<Posted> mailbox = new ConcurrentLinkedQueue<>();
        /** Lanes with work, each its parts in posting order (shard thread only). */
        private final Map<String, java.util.ArrayDeque<Part>> lanes = new java.util.LinkedHashMap<>();
        private final Map<String, Members> topics = new HashMap<>();
        private final Set<Subscriber> touched = new LinkedHashSet<>();
        private final Thread thread;
        /** When the oldest work taken from the mailbox but not handled yet was posted (System.nanoTime); 0 when none. */
        private volatile long oldestInLanes;
        private int roundsSinceFlush;
        private volatile boolean parked;
        private volatile boolean running = true;

        Shard(int i) {
            thread = Thread.ofPlatform().name("sb-fanout-" + i).daemon().start(this);
        }

        void post(List<Msg> msgs) {
            mailbox.add(new Posted(System.nanoTime(), msgs));
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        long lagMillis() {
            Posted oldest = mailbox.peek();
            long at = oldestInLanes;
            if (oldest != null && (at == 0 || oldest.at - at < 0)) {
                at = oldest.at;
            }
            return at == 0 ? 0 : Math.max(0, System.nanoTime() - at) / 1_000_000;
        }

        void stop() {
            running = false;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            while (running) {
                sortMailbox();
                if (lanes.isEmpty()) {
                    flush();
                    parked = true;
                    if (mailbox.isEmpty() && running) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    continue;
                }
                // a lane that ran dry may have left its subscribers an event or two: they are flushed
                // now (the least queued first) instead of after the other lanes' bursts
                if (round() || ++roundsSinceFlush >= 16 || touched.size() > 4096) {
                    flush();
                }
            }
        }

        /** Moves what was posted into the lanes: each posting's messages, in runs of one lane. */
        private void sortMailbox() {
            Posted posted;
            while ((posted = mailbox.poll()) != null) {
                List<Msg> msgs = posted.msgs;
                int from = 0;
                for (int i = 1; i <= msgs.size(); i++) {
                    if (i == msgs.size() || !msgs.get(i).lane().equals(msgs.get(from).lane())) {
                        lanes.computeIfAbsent(msgs.get(from).lane(), l -> new java.util.ArrayDeque<>())
                                .addLast(new Part(posted.at, msgs.subList(from, i)));
                        from = i;
                    }
                }
                if (oldestInLanes == 0 && !lanes.isEmpty()) {
                    oldestInLanes = posted.at;
                }
            }
        }

        /** Takes each lane in turn for up to {@link #SLICE_OFFERS} offers; true when a lane ran dry. */
        private boolean round() {
            long oldest = 0;
            boolean dry = false;
            for (var it = lanes.values().iterator(); it.hasNext(); ) {
                java.util.ArrayDeque<Part> lane = it.next();
                int offers = 0;
                while (offers < SLICE_OFFERS && !lane.isEmpty()) {
                    Part part = lane.peekFirst();
                    if (part.next == 0) {
                        long now = System.nanoTime();
                        waited(now - part.at, now);
                    }
                    Msg m = part.msgs.get(part.next++);
                    try {
                        offers += 1 + handle(m);
                    } catch (RuntimeException e) {
                        LOG.error("fan-out of {} failed", m, e);
                    }
                    if (part.next == part.msgs.size()) {
                        lane.pollFirst();
                    }
                }
                if (lane.isEmpty()) {
                    it.remove();
                    dry = true;
                } else if (oldest == 0 || lane.peekFirst().at - oldest < 0) {
                    oldest = lane.peekFirst().at;
                }
            }
            oldestInLanes = oldest;
            return dry;
        }

        /** Handles one message; returns the subscribers offered an event. */
        private int handle(Msg m) {
            switch (m) {
                case Publish p -> {
                    Members members = topics.get(p.topic);
                    if (members == null) {
                        return 0;
                    }
                    List<Subscriber> done = null;
                    for (Subscriber s : members.list) {
                        s.offer(p.event);
                        if (s.done()) {
                            if (done == null) {
                                done = new ArrayList<>();
                            }
                            done.add(s);
                        } else {
                            touched.add(s);
                        }
                    }
                    int offered = members.list.size();
                    deliveries.addAndGet(offered);
                    if (done != null) {
                        done.forEach(members::remove);
                        forgotten.addAndGet(done.size());
                        if (members.isEmpty()) {
                            topics.remove(p.topic);
                        }
                    }
                    return offered;
                }
                case Join j -> topics.computeIfAbsent(j.topic, t -> new Members()).add(j.subscriber);
                case Leave l -> {
                    Members members = topics.get(l.topic);
                    if (members != null) {
                        members.remove(l.subscriber);
                        if (members.isEmpty()) {
                            topics.remove(l.topic);
                        }
                    }
                }
            }
            return 0;
        }

        /**
         * Flushes the subscribers touched since the last flush, those with the least queued first
         * (a client that keeps up has an event or two; one that fell behind has hundreds, each a
         * copy into its socket). When a flush has taken {@link #FLUSH_SLICE_NANOS} and work
         * waits (in the mailbox or a lane), the rest are kept for the next flush and the work goes
         * first: events published meanwhile are offered, and their subscribers sorted in, instead
         * of waiting for every write of this flush.
         */
        private void flush() {
            roundsSinceFlush = 0;
            if (touched.isEmpty()) {
                return;
            }
            List<Queued> order = new ArrayList<>(touched.size());
            for (Subscriber s : touched) {
                order.add(new Queued(s, s.queued()));
            }
            touched.clear();
            order.sort(java.util.Comparator.comparingInt(Queued::queued));
            long start = System.nanoTime();
            for (int i = 0; i < order.size(); i++) {
                Subscriber s = order.get(i).subscriber();
                try {
                    s.flush();
                } catch (RuntimeException e) {
                    LOG.error("flushing {} failed", s, e);
                }
                if (i + 1 < order.size() && (!lanes.isEmpty() || !mailbox.isEmpty()) && System.nanoTime() - start > FLUSH_SLICE_NANOS) {
                    for (int j = i + 1; j < order.size(); j++) {
                        touched.add(order.get(j).subscriber());
                    }
                    return;
                }
            }
        }
    }
}
