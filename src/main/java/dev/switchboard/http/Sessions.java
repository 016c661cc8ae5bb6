package dev.switchboard.http;

import dev.switchboard.push.SseSession;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open SSE sessions, for heartbeats and shutdown. */
public final class Sessions {
    private final Set<SseSession> open = ConcurrentHashMap.newKeySet();

    void add(SseSession s) {
        open.add(s);
    }

    /** Sends a heartbeat to idle sessions and forgets closed ones. */
    public void heartbeat() {
        open.removeIf(SseSession::closed);
        open.forEach(SseSession::heartbeat);
    }

    /** Open sessions; ones that ended since the last heartbeat are not counted (nor kept any longer). */
    public int size() {
        open.removeIf(SseSession::closed);
        return open.size();
    }

    public void closeAll() {
        open.forEach(s -> s.close(null));
        open.clear();
    }
}
