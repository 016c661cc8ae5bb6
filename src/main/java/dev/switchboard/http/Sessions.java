package dev.switchboard.http;

import dev.switchboard.auth.Principal;
import dev.switchboard.push.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open stream sessions (for heartbeats, shutdown, and the seeds' status routes), the pending
 * long-polls (for shutdown), and the connection tallies of seed 003's monitoring: per tenant and
 * for the node, connections opened, refused (failed attempts), ended (and how long they lasted),
 * and client messages answered with an error.
 */
public final class Sessions {
    /**
     * Clients told to reconnect elsewhere are asked to wait a random time up to this (at least
     * {@link #RECONNECT_MIN}), so that they do not all arrive at the other nodes at once. The
     * default is 1 s.
     */
    static final Duration RECONNECT_SPREAD = Duration.ofSeconds(1);
    /** The least a client told to reconnect elsewhere is asked to wait. The default is 100 ms. */
    static final Duration RECONNECT_MIN = Duration.ofMillis(100);
    /** Most tenants tallied one by one; past that (names sent by anyone), only the node's tally counts. */
    static final int MAX_TALLIES = 10_000;

    /** Whose an open stream is and what it is called. */
    private record Info(String tenant, String subject, String transport, String label, Instant opened) {}

    /** Counts of one tenant's (or the node's) connections. */
    private static final class Tally {
        final AtomicLong opened = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong messageErrors = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        final AtomicLong endedMillis = new AtomicLong();
    }

    /** Streams until their transport is done with the client ({@link Session#ended}): a graceful stop waits for them. */
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    /** What is known of the streams not closed yet (a closed one's duration is counted then). */
    private final Map<Session, Info> infos = new ConcurrentHashMap<>();
    private final Set<Session> polls = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private final Map<String, Tally> tenants = new ConcurrentHashMap<>();
    private final Tally node = new Tally();
    private final Clock clock;

    Sessions(Clock clock) {
        this.clock = clock;
    }

    /** A stream whose tenant this layer does not know. */
    void add(Session s) {
        add(s, "", "", "stream", "");
    }

    /** A stream of {@code who} for {@code tenant} over {@code transport}, listed as {@code label}. */
    void add(Session s, String tenant, Principal who, String transport, String label) {
        add(s, tenant, who.subject(), transport, label);
    }

    private void add(Session s, String tenant, String subject, String transport, String label) {
        if (!open.add(s)) {
            return;
        }
        infos.put(s, new Info(tenant, subject, transport, label, clock.instant()));
        tallies(tenant).forEach(t -> t.opened.incrementAndGet());
        s.whenClosed().thenRun(() -> closed(s));
        if (draining) {
            s.reconnectElsewhere(retry()); // it began as the node started draining: told as well
        }
    }

    void remove(Session s) {
        open.remove(s);
        closed(s);
    }

    /** Counts how long {@code s} lasted, once. */
    private void closed(Session s) {
        Info info = infos.remove(s);
        if (info != null) {
            long ms = Math.max(0, Duration.between(info.opened(), clock.instant()).toMillis());
            tallies(info.tenant()).forEach(t -> {
                t.ended.incrementAndGet();
                t.endedMillis.addAndGet(ms);
            });
        }
    }

    void addPoll(Session s) {
        polls.add(s);
        if (draining) {
            s.reconnectElsewhere(retry());
        }
    }

    void removePoll(Session s) {
        polls.remove(s);
    }

    /** A stream request for {@code tenant} refused, or an opening that failed. */
    void failed(String tenant) {
        tallies(tenant).forEach(t -> t.failed.incrementAndGet());
    }

    /** A client message on a stream of {@code tenant} answered with an error. */
    void messageError(String tenant) {
        tallies(tenant).forEach(t -> t.messageErrors.incrementAndGet());
    }

    private List<Tally> tallies(String tenant) {
        if (tenant.isEmpty() || (tenants.size() >= MAX_TALLIES && !tenants.containsKey(tenant))) {
            return List.of(node);
        }
        return List.of(node, tenants.computeIfAbsent(tenant, t -> new Tally()));
    }

    /**
     * The node is shutting down: every stream writes what is queued for it, then its transport's
     * {@code reconnect} notice with its last position, and ends; pending polls are answered now.
     */
    void reconnectElsewhere() {
        draining = true;
        open.forEach(s -> s.reconnectElsewhere(retry()));
        polls.forEach(s -> s.reconnectElsewhere(retry()));
    }

    private static Duration retry() {
        return RECONNECT_MIN.plusMillis(ThreadLocalRandom.current().nextLong(RECONNECT_SPREAD.toMillis()));
    }

    /** Long-polls waiting for an answer. */
    public int pendingPolls() {
        polls.removeIf(Session::ended);
        return polls.size();
    }

    /** Streams and polls not ended yet. */
    int open() {
        forgetEnded();
        polls.removeIf(Session::ended);
        return open.size() + polls.size();
    }

    private void forgetEnded() {
        open.stream().filter(Session::ended).toList().forEach(this::remove);
    }

    /** The open streams of {@code tenant}, oldest first. */
    List<Routes.Stream> of(String tenant) {
        List<Routes.Stream> out = new ArrayList<>();
        infos.forEach((s, i) -> {
            if (i.tenant().equals(tenant) && !s.closed()) {
                out.add(new Routes.Stream(i.label(), i.subject(), i.transport(), i.opened()));
            }
        });
        out.sort(Comparator.comparing(Routes.Stream::opened));
        return out;
    }

    /** The connections of {@code tenant} (every tenant's when empty) as of now. */
    Routes.Connections connections(Optional<String> tenant) {
        Instant now = clock.instant();
        Tally t = tenant.map(n -> tenants.getOrDefault(n, new Tally())).orElse(node);
        int active = 0;
        long openMillis = 0;
        long longest = 0;
        for (var e : infos.entrySet()) {
            if (e.getKey().closed() || tenant.isPresent() && !e.getValue().tenant().equals(tenant.get())) {
                continue;
            }
            long ms = Math.max(0, Duration.between(e.getValue().opened(), now).toMillis());
            active++;
            openMillis += ms;
            longest = Math.max(longest, ms);
        }
        return new Routes.Connections(active, t.opened.get(), t.failed.get(), t.messageErrors.get(), t.ended.get(),
                t.endedMillis.get() / 1000.0, active == 0 ? 0 : openMillis / 1000.0 / active, longest / 1000.0);
    }

    /** The node's connections since start: see {@link Routes.Connections}. */
    public Routes.Connections connections() {
        return connections(Optional.empty());
    }

    /** Sends a heartbeat to idle sessions, ends those whose client stopped reading, and forgets closed ones. */
    public void heartbeat() {
        long now = System.nanoTime();
        open.forEach(s -> s.closeIfStalled(now, Session.STALL));
        forgetEnded();
        open.forEach(Session::heartbeat);
    }

    /** Open streams over {@code transport} (sse, websocket, socketio), and pending polls for poll. */
    public int open(String transport) {
        if (transport.equals("poll")) {
            polls.removeIf(Session::ended);
            return polls.size();
        }
        int n = 0;
        for (var e : infos.entrySet()) {
            if (!e.getKey().closed() && e.getValue().transport().equals(transport)) {
                n++;
            }
        }
        return n;
    }

    /** Open sessions. */
    public int size() {
        forgetEnded();
        return open.size();
    }

    public void closeAll() {
        open.forEach(s -> s.close(Optional.empty()));
        open.clear();
        polls.forEach(s -> s.close(Optional.empty()));
        polls.clear();
    }
}
