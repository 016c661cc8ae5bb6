package dev.switchboard.core;

import dev.switchboard.live.ViewKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Helpers over the events a {@link MemorySession} received. */
final class Streams {
    private Streams() {}

    static MemorySession session(Core core, String tenant, List<ViewKey> dashboards, List<String> datasets, int capacity) {
        return new MemorySession(core.streams.subscription(tenant, dashboards, datasets), capacity);
    }

    /** The widgets of {@code topic} as the client knows them: the last snapshot with every later delta folded in. */
    static Optional<Map<String, Object>> folded(List<MemorySession.Ev> events, String dashboard) {
        Map<String, Object> w = null;
        for (MemorySession.Ev e : events) {
            if (!e.data().path("dashboard").asString("").equals(dashboard)) {
                continue;
            }
            if (e.type().equals("snapshot")) {
                w = new LinkedHashMap<>();
            }
            if ((e.type().equals("snapshot") || e.type().equals("delta")) && w != null) {
                Map<String, Object> m = Core.JSON.convertValue(e.data().path("widgets"), Map.class);
                w.putAll(m);
            }
        }
        return Optional.ofNullable(w);
    }
}
