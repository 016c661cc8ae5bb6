package dev.switchboard.http;

import dev.switchboard.push.Session;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open stream sessions, for heartbeats and shutdown. */
public final class Sessions {
    private final Set<Session> open = ConcurrentHashMap.newKeySet();

    void add(Session s) {
        open.add(s);
    }

    void remove(Session s) {
        open.remove(s);
    }

    /** Sends a heartbeat to idle sessions, ends those whose client stopped reading, and forgets closed ones. */
    public void heartbeat() {
        long now = System.nanoTime();
        open.forEach(s -> s.closeIfStalled(now, Session.STALL));
        open.removeIf(Session::closed);
        open.forEach(Session::heartbeat);
    }

    /** Open sessions. */
    public int size() {
        open.removeIf(Session::closed);
        return open.size();
    }

    public void closeAll() {
        open.forEach(s -> s.close(Optional.empty()));
        open.clear();
    }
}
