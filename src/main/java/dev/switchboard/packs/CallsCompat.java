package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 002's REST API (its file lines 63-201) over the calls pack's live views: the same numbers
 * as {@code GET /api/dashboards/calls/{tenant}}, in the seed's paths, parameters, validation and
 * shapes. The tenant is the seed's {@code user_id}.
 */
final class CallsCompat {
    private CallsCompat() {}

    static final int MAX_HOURS = 168;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:00").withZone(ZoneOffset.UTC);
    private static final Map<String, String> CALL_FIELDS = Map.of("metadata", "call_metadata");
    private static final List<String> METRICS = List.of("total_calls", "active_calls", "completed_calls", "average_duration",
            "success_rate", "outcome_counts");

    static void register(Routes routes) {
        routes.socketIo("user_id", new CallsSocketIo());
        routes.get("/api/dashboard/health", "Seed 002: health", call -> {
            boolean ok = call.healthy();
            call.json(ok ? 200 : 503, Map.of("status", ok ? "healthy" : "degraded", "websocket_enabled", true));
        });
        routes.get("/api/dashboard/metrics", "Seed 002: headline metrics over the last hours", call -> {
            String tenant = Compat.requiredTenant(call, "user_id");
            int hours = Compat.intParam(call, "hours", 24, 1, MAX_HOURS);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("metrics", metrics(call.widgets("calls", tenant, Map.of("hours", Integer.toString(hours))), hours));
            body.put("user_id", tenant);
            call.json(200, body);
        });
        routes.get("/api/dashboard/active-calls", "Seed 002: calls in progress, with their live duration", call -> {
            String tenant = Compat.requiredTenant(call, "user_id");
            List<Map<String, Object>> active = activeCalls(rows(call.widgets("call_history", tenant, Map.of()).get("active_calls")), call.now());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("active_calls", active);
            body.put("count", active.size());
            body.put("user_id", tenant);
            call.json(200, body);
        });
        routes.get("/api/dashboard/recent-calls", "Seed 002: the latest calls", call -> {
            String tenant = Compat.requiredTenant(call, "user_id");
            int limit = Compat.intParam(call, "limit", 10, 1, 100);
            List<Map<String, Object>> calls = new ArrayList<>();
            for (Map<?, ?> r : rows(call.widgets("call_history", tenant, Map.of()).get("recent_calls"))) {
                if (calls.size() == limit) {
                    break;
                }
                calls.add(call(r, call.now()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("calls", calls);
            body.put("count", calls.size());
            body.put("user_id", tenant);
            call.json(200, body);
        });
        routes.get("/api/dashboard/agent-performance", "Seed 002: per-agent calls, duration and success rate", call -> {
            String tenant = Compat.requiredTenant(call, "user_id");
            int hours = Compat.intParam(call, "hours", 24, 1, MAX_HOURS);
            List<Map<String, Object>> agents = new ArrayList<>();
            for (Map<?, ?> r : rows(call.widgets("calls", tenant, Map.of("hours", Integer.toString(hours))).get("agents"))) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("agentConfigId", r.get("agent_config_id"));
                a.put("total_calls", r.get("total_calls"));
                a.put("average_duration", r.get("average_duration"));
                a.put("success_rate", r.get("success_rate"));
                a.put("completed_calls", r.get("completed_calls"));
                agents.add(a);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("agents", agents);
            body.put("count", agents.size());
            body.put("period_hours", hours);
            body.put("user_id", tenant);
            call.json(200, body);
        });
        routes.get("/api/dashboard/calls-per-hour", "Seed 002: calls started per UTC hour", call -> {
            String tenant = Compat.requiredTenant(call, "user_id");
            int hours = Compat.intParam(call, "hours", 24, 1, MAX_HOURS);
            Map<String, Object> data = new LinkedHashMap<>();
            for (Map<?, ?> p : rows(call.widgets("calls", tenant, Map.of("hours", Integer.toString(hours))).get("calls_per_hour"))) {
                data.put(HOUR.format(Instant.parse(String.valueOf(p.get("t")))), p.get("v"));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("data", data);
            body.put("period_hours", hours);
            body.put("user_id", tenant);
            call.json(200, body);
        });
    }

    /** The seed's metrics object from the calls dashboard's widgets. */
    static Map<String, Object> metrics(Map<String, Object> widgets, int hours) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String name : METRICS) {
            m.put(name, widgets.get(name));
        }
        m.put("period_hours", hours);
        return m;
    }

    /** Active calls in the seed's shape, each with its duration so far. */
    static List<Map<String, Object>> activeCalls(List<Map<?, ?>> rows, Instant now) {
        List<Map<String, Object>> out = new ArrayList<>();
        rows.forEach(r -> out.add(call(r, now)));
        return out;
    }

    /**
     * A call_logs row as the seed's API shows it: camelCase, {@code call_metadata} as an object,
     * and for an active call the seconds since it started as its {@code duration}.
     */
    static Map<String, Object> call(Map<?, ?> row, Instant now) {
        Map<String, Object> c = Compat.camelRow(row, CALL_FIELDS);
        c.computeIfPresent("call_metadata", (k, v) -> Compat.json(v));
        if ("active".equals(c.get("status")) && c.get("startedAt") instanceof String started) {
            c.put("duration", Math.max(0, Duration.between(Instant.parse(started), now).toSeconds()));
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    static List<Map<?, ?>> rows(Object widget) {
        return widget instanceof List<?> l ? (List<Map<?, ?>>) l : List.of();
    }
}
