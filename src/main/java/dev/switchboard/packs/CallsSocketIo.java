package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seed 002's Socket.IO events (its file lines 205-300) over the calls dashboard and the call_logs
 * change stream: {@code io(url, {auth: {user_id, token}})} gets {@code connected} and
 * {@code initial_state}, then {@code metrics_update}, {@code active_calls_update} and
 * {@code call_event}; the client may {@code subscribe}/{@code unsubscribe} a stream
 * ({@code metrics}, {@code active_calls}, {@code calls}) and {@code ping} for a {@code pong}.
 * Every socket starts subscribed to all three streams, as the seed broadcasts all of them to a
 * user's room.
 */
final class CallsSocketIo implements Routes.SocketIoDialect {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The seed's stream names, and the event each one carries. */
    static final Map<String, String> STREAMS = Map.of("metrics", "metrics_update", "active_calls", "active_calls_update", "calls", "call_event");
    private static final List<String> METRICS = List.of("total_calls", "active_calls", "completed_calls", "average_duration",
            "success_rate", "outcome_counts");

    @Override
    public List<String> dashboards() {
        return List.of("calls");
    }

    @Override
    public List<String> datasets() {
        return List.of("call_logs");
    }

    @Override
    public Map<String, String> params() {
        return Map.of("hours", "24");
    }

    @Override
    public Routes.Translator open(String tenant, String socketId) {
        return new Translator(tenant, socketId);
    }

    private static final class Translator implements Routes.Translator {
        private final String tenant;
        private final String sid;
        private final Set<String> streams = new LinkedHashSet<>(STREAMS.keySet());
        private final Map<String, Object> metrics = new LinkedHashMap<>();
        private boolean connected;

        Translator(String tenant, String sid) {
            this.tenant = tenant;
            this.sid = sid;
        }

        @Override
        public synchronized List<Routes.Emit> event(String type, JsonNode data, Instant now) {
            List<Routes.Emit> out = new ArrayList<>();
            String ts = now.toString();
            switch (type) {
                case "snapshot" -> {
                    JsonNode w = data.path("widgets");
                    metrics.clear();
                    merge(w);
                    if (!connected) {
                        connected = true;
                        Map<String, Object> hello = new LinkedHashMap<>();
                        hello.put("user_id", tenant);
                        hello.put("sid", sid);
                        out.add(new Routes.Emit("connected", hello));
                    }
                    Map<String, Object> state = new LinkedHashMap<>();
                    state.put("active_calls", calls(w.path("active_calls_list"), now));
                    state.put("metrics", CallsCompat.metrics(metrics, 24));
                    state.put("recent_calls", calls(w.path("recent_calls"), now));
                    state.put("outcome_distribution", map(w.path("outcome_counts")));
                    state.put("timestamp", ts);
                    out.add(new Routes.Emit("initial_state", state));
                }
                case "delta" -> {
                    JsonNode w = data.path("widgets");
                    if (METRICS.stream().anyMatch(w::has)) {
                        merge(w);
                        if (streams.contains("metrics")) {
                            out.add(new Routes.Emit("metrics_update", Map.of("metrics", CallsCompat.metrics(metrics, 24), "timestamp", ts)));
                        }
                    }
                    if (w.has("active_calls_list") && streams.contains("active_calls")) {
                        List<Map<String, Object>> active = calls(w.path("active_calls_list"), now);
                        out.add(new Routes.Emit("active_calls_update", Map.of("active_calls", active, "count", active.size(), "timestamp", ts)));
                    }
                }
                case "change" -> {
                    if (streams.contains("calls") && "call_logs".equals(data.path("dataset").asString()) && !"d".equals(data.path("op").asString())) {
                        JsonNode after = data.path("after");
                        Map<String, Object> event = new LinkedHashMap<>();
                        event.put("type", callEventType(data.path("op").asString(), data.path("before").path("status").asString(""),
                                after.path("status").asString("")));
                        event.put("call", CallsCompat.call(map(after), now));
                        event.put("timestamp", ts);
                        out.add(new Routes.Emit("call_event", event));
                    }
                }
                default -> { }
            }
            return out;
        }

        /** call_started when a call appears active, call_ended when it leaves active (or appears ended), call_updated otherwise. */
        static String callEventType(String op, String before, String after) {
            if (op.equals("c")) {
                return after.equals("active") ? "call_started" : "call_ended";
            }
            if (before.equals("active") && !after.equals("active")) {
                return "call_ended";
            }
            return after.equals("active") && !before.equals("active") ? "call_started" : "call_updated";
        }

        private void merge(JsonNode widgets) {
            for (String k : METRICS) {
                if (widgets.has(k)) {
                    metrics.put(k, JSON.convertValue(widgets.get(k), Object.class));
                }
            }
        }

        @Override
        public synchronized List<Routes.Emit> message(String event, JsonNode argument, Instant now) {
            String ts = now.toString();
            return switch (event) {
                case "ping" -> List.of(new Routes.Emit("pong", Map.of("timestamp", ts)));
                case "subscribe", "unsubscribe" -> {
                    String stream = argument.path("stream").asString("");
                    if (!STREAMS.containsKey(stream)) {
                        yield List.of(new Routes.Emit("error", Map.of("message", "unknown stream '" + stream + "'; the streams are "
                                + String.join(", ", STREAMS.keySet()), "timestamp", ts)));
                    }
                    if (event.equals("subscribe")) {
                        streams.add(stream);
                    } else {
                        streams.remove(stream);
                    }
                    yield List.of(new Routes.Emit(event.equals("subscribe") ? "subscribed" : "unsubscribed", Map.of("stream", stream, "timestamp", ts)));
                }
                default -> List.of();
            };
        }

        @Override
        public List<String> messages() {
            return List.of("ping", "subscribe", "unsubscribe");
        }

        private static List<Map<String, Object>> calls(JsonNode rows, Instant now) {
            List<Map<String, Object>> out = new ArrayList<>();
            rows.forEach(r -> out.add(CallsCompat.call(map(r), now)));
            return out;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(JsonNode node) {
            return node.isObject() ? JSON.convertValue(node, Map.class) : Map.of();
        }
    }
}
