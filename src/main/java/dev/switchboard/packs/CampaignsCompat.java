package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Seed 004's API (its file lines 73-102) over the campaigns pack's live view: the REST endpoints
 * of the initial load and the fallback polling, under {@code /analytics} and {@code /api/analytics},
 * and the WebSocket at {@code /ws} ({@link CampaignsSocket}). Every number is a widget of
 * {@code GET /api/dashboards/campaigns/{account}} (one campaign's: of its {@code campaign} scope),
 * renamed to the seed's client state ({@code MetricsState}, l.63-71). The seed passes no tenant:
 * demo mode serves {@code ?account=} or the pack's demo tenant, serve mode the token's.
 */
final class CampaignsCompat {
    private CampaignsCompat() {}

    static final String DASHBOARD = "campaigns";
    private static final Map<String, String> OUTCOMES = outcomes();

    static void register(Routes routes) {
        for (String prefix : List.of("", "/api")) {
            routes.get(prefix + "/analytics/metrics", "Seed 004: metrics of every running campaign, and the totals", call -> {
                String tenant = tenant(call);
                Map<String, Object> w = call.widgets(DASHBOARD, tenant, Map.of());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("campaignMetrics", campaignMetrics(w));
                body.put("aggregateMetrics", aggregateMetrics(w));
                body.put("lastUpdate", call.now().toString());
                call.json(200, body);
            });
            routes.get(prefix + "/analytics/campaigns/{campaignId}/metrics", "Seed 004: one campaign's metrics", call -> {
                String tenant = tenant(call);
                String id = call.param("campaignId");
                Map<String, Object> w = call.widgets(DASHBOARD, tenant, Map.of("scope", "campaign", "sub", id));
                List<Map<?, ?>> campaign = CallsCompat.rows(w.get("campaign_list"));
                if (campaign.isEmpty()) {
                    throw Compat.error(call, 404, "account '" + tenant + "' has no campaign '" + id + "'");
                }
                call.json(200, oneCampaign(campaign.get(0), w));
            });
            routes.get(prefix + "/analytics/system/health", "Seed 004: CPU and memory of this node, answer rate, active campaigns", call -> {
                String tenant = tenant(call);
                call.json(200, systemHealth(call.nodeLoad(), call.widgets(DASHBOARD, tenant, Map.of())));
            });
        }
        routes.socket("/ws", "Seed 004: the dashboard's WebSocket ({type, data, timestamp}; subscribe/unsubscribe by campaignId)",
                new CampaignsSocket());
    }

    /** The seed names no tenant: {@code ?account=} or the demo tenant with open access; the token's with tokens. */
    static String tenant(Routes.Call call) {
        return call.tenant(call.query("account"), Packs.named("campaigns").orElseThrow().demoTenant());
    }

    /** {@code campaignMetrics}: every running campaign by id, from the per-campaign tables. */
    static Map<String, Map<String, Object>> campaignMetrics(Map<String, Object> w) {
        Map<String, Map<?, ?>> activity = byCampaign(w.get("campaign_activity"));
        Map<String, Map<?, ?>> dialing = byCampaign(w.get("campaign_dialing"));
        Map<String, Map<?, ?>> queue = byCampaign(w.get("queue_by_campaign"));
        Map<String, Map<?, ?>> outcomes = byCampaign(w.get("campaign_outcomes"));
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<?, ?> c : CallsCompat.rows(w.get("running_campaigns"))) {
            String id = String.valueOf(c.get("id"));
            Map<?, ?> a = activity.getOrDefault(id, Map.of());
            Map<?, ?> o = outcomes.getOrDefault(id, Map.of());
            Map<String, Object> m = head(c);
            m.put("activeCalls", count(a.get("active_calls")));
            m.put("queueDepth", count(queue.getOrDefault(id, Map.of()).get("queued")));
            m.put("dialingRate", rate(dialing.getOrDefault(id, Map.of()).get("dialing_rate")));
            m.put("totalAttempts", count(a.get("total_attempts")));
            m.put("endedAttempts", count(o.get("ended")));
            OUTCOMES.forEach((outcome, field) -> m.put(field, count(o.get(outcome))));
            m.put("answerRate", ratio(o.get("answer_rate")));
            m.put("conversionRate", ratio(o.get("conversion_rate")));
            out.put(id, m);
        }
        return out;
    }

    /** One campaign's metrics from its scoped view: the same definitions, for a campaign in any status. */
    static Map<String, Object> oneCampaign(Map<?, ?> campaign, Map<String, Object> w) {
        Map<String, Object> m = head(campaign);
        Map<?, ?> perf = CallsCompat.rows(w.get("campaign_performance")).stream().findFirst().orElse(Map.of());
        Map<?, ?> dist = w.get("outcome_distribution") instanceof Map<?, ?> d ? d : Map.of();
        m.put("activeCalls", count(w.get("active_calls")));
        m.put("queueDepth", count(w.get("queue_depth")));
        m.put("dialingRate", rate(w.get("dialing_rate")));
        m.put("totalAttempts", count(w.get("total_attempts")));
        m.put("endedAttempts", count(perf.get("attempts")));
        OUTCOMES.forEach((outcome, field) -> m.put(field, count(dist.get(outcome))));
        m.put("answerRate", ratio(w.get("answer_rate")));
        m.put("conversionRate", ratio(perf.get("conversion_rate")));
        return m;
    }

    /** {@code aggregateMetrics}: the headline numbers, the outcome chart and the 20-point activity chart. */
    static Map<String, Object> aggregateMetrics(Map<String, Object> w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("totalActiveCalls", count(w.get("active_calls")));
        m.put("totalQueueDepth", count(w.get("queue_depth")));
        m.put("dialingRate", rate(w.get("dialing_rate")));
        m.put("totalAttempts", count(w.get("total_attempts")));
        m.put("answerRate", ratio(w.get("answer_rate")));
        m.put("activeCampaigns", count(w.get("active_campaigns")));
        Map<?, ?> dist = w.get("outcome_distribution") instanceof Map<?, ?> d ? d : Map.of();
        Map<String, Object> outcomes = new LinkedHashMap<>();
        OUTCOMES.forEach((outcome, field) -> outcomes.put(field, count(dist.get(outcome))));
        m.put("outcomes", outcomes);
        m.put("activity", activity(w));
        return m;
    }

    /**
     * The activity chart's points, oldest first: the three sampled series side by side (they are
     * sampled at the same aligned instants; a point missing from one series is null there).
     */
    static List<Map<String, Object>> activity(Map<String, Object> w) {
        Map<String, Map<String, Object>> byTime = new java.util.TreeMap<>();
        Map<String, String> series = Map.of("activity_active_calls", "activeCalls", "activity_queue_depth", "queueDepth",
                "activity_dialing_rate", "dialingRate");
        for (Map.Entry<String, String> s : series.entrySet()) {
            for (Map<?, ?> p : CallsCompat.rows(w.get(s.getKey()))) {
                Map<String, Object> point = byTime.computeIfAbsent(String.valueOf(p.get("t")), t -> {
                    Map<String, Object> n = new LinkedHashMap<>();
                    n.put("timestamp", t);
                    n.put("activeCalls", null);
                    n.put("queueDepth", null);
                    n.put("dialingRate", null);
                    return n;
                });
                point.put(s.getValue(), s.getValue().equals("dialingRate") ? rate(p.get("v")) : count(p.get("v")));
            }
        }
        return List.copyOf(byTime.values());
    }

    /** {@code systemHealth}: this node's CPU and memory, and the account's answer rate and active campaigns. */
    static Map<String, Object> systemHealth(Routes.NodeLoad load, Map<String, Object> w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", load.healthy() ? "healthy" : "degraded");
        m.put("cpuUsage", load.cpuPercent());
        m.put("memoryUsage", load.memoryPercent());
        m.put("processCpuUsage", load.processCpuPercent());
        m.put("heapUsedBytes", load.heapUsedBytes());
        m.put("heapMaxBytes", load.heapMaxBytes());
        m.put("answerRate", ratio(w.get("answer_rate")));
        m.put("activeCampaigns", count(w.get("active_campaigns")));
        m.put("timestamp", load.at());
        return m;
    }

    private static Map<String, Object> head(Map<?, ?> campaign) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("campaignId", String.valueOf(campaign.get("id")));
        m.put("name", campaign.get("name"));
        m.put("status", campaign.get("status"));
        m.put("dialMode", campaign.get("dial_mode"));
        return m;
    }

    private static Map<String, Map<?, ?>> byCampaign(Object table) {
        Map<String, Map<?, ?>> out = new LinkedHashMap<>();
        CallsCompat.rows(table).forEach(r -> out.put(String.valueOf(r.get("campaign_id")), r));
        return out;
    }

    /** Counts as JSON numbers of one type (snapshots parsed from JSON and live deltas must compare equal). */
    static long count(Object v) {
        return v instanceof Number n ? n.longValue() : 0L;
    }

    static double rate(Object v) {
        return v instanceof Number n ? n.doubleValue() : 0.0;
    }

    /** A percentage, or null when there is nothing to divide by (no ended attempts). */
    static Optional<Double> ratioOf(Object v) {
        return v instanceof Number n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    private static Double ratio(Object v) {
        return ratioOf(v).orElse(null);
    }

    /** Outcome values of call_attempts → the seed client's field names. */
    private static Map<String, String> outcomes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("answered", "answered");
        m.put("converted", "converted");
        m.put("opted_out", "optedOut");
        m.put("busy", "busy");
        m.put("no_answer", "noAnswer");
        m.put("voicemail", "voicemail");
        m.put("failed", "failed");
        return m;
    }
}
