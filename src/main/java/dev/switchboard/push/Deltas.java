package dev.switchboard.push;

import dev.switchboard.hub.Event;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Decides when a queued delta is superseded by a newer one of the same dashboard. */
final class Deltas {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private Deltas() {}

    /** True when every widget of {@code older} is also in {@code newer}, whose values win. */
    @SuppressWarnings("unchecked")
    static boolean covers(Event newer, Event older) {
        Map<String, Object> n = (Map<String, Object>) JSON.readValue(newer.json(), MAP).get("widgets");
        Map<String, Object> o = (Map<String, Object>) JSON.readValue(older.json(), MAP).get("widgets");
        return n != null && o != null && n.keySet().containsAll(o.keySet());
    }
}
