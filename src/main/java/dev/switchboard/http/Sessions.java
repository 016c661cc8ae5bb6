package dev.switchboard.http;

import dev.switchboard.push.Session;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** The open stream sessions, for heartbeats and shutdown, and the pending long-polls, for shutdown. */
public final class Sessions {
    /**
     * Clients told to reconnect elsewhere are asked to wait a random time up to this (at least
     * {@link #RECONNECT_MIN}), so that they do not all arrive at the other nodes at once. The
     * default is 1 s.
     */
    static final Duration RECONNECT_SPREAD = Duration.ofSeconds(1);
    /** The least a client told to reconnect elsewhere is asked to wait. The default is 100 ms. */
    static final Duration RECONNECT_MIN = Duration.ofMillis(100);

    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final Set<Session> polls = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    void add(Session s) {
        open.add(s);
        if (draining) {
            s.reconnectElsewhere(retry()); // it began as the node started draining: told as well
        }
    }

    void remove(Session s) {
        open.remove(s);
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

    /**
     * The node is shutting down: every stream writes what is queued for it, then its transport's
     * {@code reconnect} notice with its last position, and ends; pending polls are answered now.
     */
    void reconnectElsewhere() {
        draining = true;
        for (Set<Session> set : List.of(open, polls)) {
            set.forEach(s -> s.reconnectElsewhere(retry()));
        }
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
        open.removeIf(Session::ended);
        polls.removeIf(Session::ended);
        return open.size() + polls.size();
    }

    /** Sends a heartbeat to idle sessions, ends those whose client stopped reading, and forgets closed ones. */
    public void heartbeat() {
        long now = System.nanoTime();
        open.forEach(s -> s.closeIfStalled(now, Session.STALL));
        open.removeIf(Session::ended);
        open.forEach(Session::heartbeat);
    }

    /** Open sessions. */
    public int size() {
        open.removeIf(Session::ended);
        return open.size();
    }

    public void closeAll() {
        for (Set<Session> set : List.of(open, polls)) {
            set.forEach(s -> s.close(Optional.empty()));
            set.clear();
        }
    }
}
