package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seed 004's WebSocket (its file lines 33-50, 88-102, 186-203): every message is
 * {@code {"type": ..., "data": ..., "timestamp": "<ISO-8601>"}}.
 * <ul>
 * <li>{@code metrics_update}: one campaign's metrics ({@link CampaignsCompat#campaignMetrics}),
 *     sent when they change (and at once for a campaign just subscribed to);</li>
 * <li>{@code campaign_status_change}: a campaign's status changed (a row change of campaigns);</li>
 * <li>{@code call_event}: a call attempt was created, changed status or ended (a row change of call_attempts);</li>
 * <li>{@code system_health_update}: every 2 s, this node's CPU and memory with the account's answer
 *     rate and active campaigns (sampled, never stored).</li>
 * </ul>
 * The client sends {@code {"action": "subscribe"|"unsubscribe", "campaignId": "..."}}; without a
 * campaignId it subscribes to (or unsubscribes from) all campaigns. A new connection receives all
 * campaigns until it subscribes to one: from then on, only the campaigns it subscribed to. A
 * message it cannot act on gets {@code {"type": "error", "data": {"error": ..., "status": N}}} and
 * the connection stays up.
 */
final class CampaignsSocket implements Routes.Socket {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

    @Override
    public Routes.Connection open(Routes.Call call) {
        return new Connection(CampaignsCompat.tenant(call), call.clock());
    }

    /** campaign_status_change for a campaign whose status changed; call_event for every change of an attempt. */
    @Override
    public List<Routes.Tagged> change(Map<String, Object> change) {
        Map<?, ?> before = change.get("before") instanceof Map<?, ?> b ? b : Map.of();
        Map<?, ?> after = change.get("after") instanceof Map<?, ?> a ? a : Map.of();
        Map<?, ?> row = after.isEmpty() ? before : after;
        String time = String.valueOf(change.get("commit_time"));
        return switch (String.valueOf(change.get("dataset"))) {
            case "campaigns" -> {
                if (Objects.equals(before.get("status"), after.get("status"))) {
                    yield List.of();
                }
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("campaignId", row.get("id"));
                d.put("name", row.get("name"));
                d.put("status", after.isEmpty() ? "deleted" : after.get("status"));
                d.put("previousStatus", before.get("status"));
                yield List.of(new Routes.Tagged(String.valueOf(row.get("id")), envelope("campaign_status_change", d, time)));
            }
            case "call_attempts" -> List.of(new Routes.Tagged(String.valueOf(row.get("campaign_id")),
                    envelope("call_event", callEvent(before, after, row), time)));
            default -> List.of();
        };
    }

    /**
     * What happened to the attempt, as the seed's "answered, failed, etc." (l.101): its outcome when
     * it ended, {@code answered} when a person picked up, its status when it was created or moved
     * to dialing or ringing, {@code deleted}, else {@code updated}.
     */
    static Map<String, Object> callEvent(Map<?, ?> before, Map<?, ?> after, Map<?, ?> row) {
        String event;
        if (after.isEmpty()) {
            event = "deleted";
        } else if (Objects.equals(before.get("status"), after.get("status")) && !before.isEmpty()) {
            event = Objects.equals(before.get("outcome"), after.get("outcome")) ? "updated" : String.valueOf(after.get("outcome"));
        } else {
            event = switch (String.valueOf(after.get("status"))) {
                case "in_progress" -> "answered";
                case "ended" -> after.get("outcome") == null ? "ended" : String.valueOf(after.get("outcome"));
                default -> String.valueOf(after.get("status"));
            };
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("event", event);
        d.put("callId", row.get("id"));
        d.put("campaignId", row.get("campaign_id"));
        d.put("contactId", row.get("contact_id"));
        d.put("phoneNumber", row.get("phone_number"));
        d.put("status", row.get("status"));
        d.put("outcome", row.get("outcome"));
        d.put("previousStatus", before.get("status"));
        d.put("attemptNumber", row.get("attempt_number"));
        d.put("startedAt", row.get("started_at"));
        d.put("answeredAt", row.get("answered_at"));
        d.put("endedAt", row.get("ended_at"));
        return d;
    }

    static String envelope(String type, Object data, String timestamp) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("data", data);
        m.put("timestamp", timestamp);
        return JSON.writeValueAsString(m);
    }

    /** One dashboard client: what it subscribed to and the metrics it was last sent. */
    static final class Connection implements Routes.Connection {
        private final String tenant;
        private final Clock clock;
        /** The latest value of every widget of the account's campaigns view. */
        private final Map<String, Object> widgets = new HashMap<>();
        /** All campaigns (true until the client subscribes to a particular one), or just {@link #campaigns}. */
        private boolean all = true;
        private final Set<String> campaigns = new LinkedHashSet<>();
        /** The metrics each campaign was last sent with; a campaign no longer sent is forgotten. */
        private final Map<String, Map<String, Object>> sent = new HashMap<>();
        private boolean chose;

        Connection(String tenant, Clock clock) {
            this.tenant = tenant;
            this.clock = clock;
        }

        @Override
        public Routes.Watch watch() {
            return new Routes.Watch(tenant, List.of(CampaignsCompat.DASHBOARD), Map.of(), List.of("campaigns", "call_attempts"), true);
        }

        @Override
        public List<String> state(String dashboard, Map<String, Object> changed, boolean snapshot) {
            if (snapshot) {
                widgets.clear();
            }
            widgets.putAll(changed);
            return metricsUpdates();
        }

        /** A metrics_update for each wanted campaign whose metrics differ from what it was last sent. */
        private List<String> metricsUpdates() {
            Map<String, Map<String, Object>> now = CampaignsCompat.campaignMetrics(widgets);
            sent.keySet().removeIf(id -> !now.containsKey(id) || !wants(id));
            List<String> out = new ArrayList<>();
            String time = clock.instant().toString();
            now.forEach((id, m) -> {
                if (wants(id) && !m.equals(sent.get(id))) {
                    sent.put(id, m);
                    out.add(envelope("metrics_update", m, time));
                }
            });
            return out;
        }

        @Override
        public List<String> nodeLoad(Routes.NodeLoad load) {
            return widgets.isEmpty() ? List.of()
                    : List.of(envelope("system_health_update", CampaignsCompat.systemHealth(load, widgets), load.at()));
        }

        @Override
        public boolean wants(String campaignId) {
            return all || campaigns.contains(campaignId);
        }

        @Override
        public List<String> received(String text) {
            JsonNode msg;
            try {
                msg = JSON.readTree(text);
            } catch (JacksonException e) {
                return error(400, "malformed JSON: " + e.getOriginalMessage());
            }
            if (msg == null || !msg.isObject() || !msg.path("action").isString()) {
                return error(400, "send {\"action\": \"subscribe\" or \"unsubscribe\", \"campaignId\": \"...\"} (campaignId left out: all campaigns)");
            }
            JsonNode id = msg.path("campaignId");
            if (!id.isMissingNode() && !id.isNull() && !(id.isString() && NAME.matcher(id.asString()).matches())) {
                return error(400, "campaignId must be a campaign's id (1-128 letters, digits or _ . : @ -); was " + id);
            }
            boolean one = id.isString();
            switch (msg.path("action").asString()) {
                case "subscribe" -> {
                    if (!one) {
                        all = true;
                    } else {
                        if (!chose) {
                            all = false; // the first particular subscription narrows the default "all campaigns"
                        }
                        campaigns.add(id.asString());
                    }
                }
                case "unsubscribe" -> {
                    if (!one) {
                        all = false;
                        campaigns.clear();
                    } else {
                        campaigns.remove(id.asString());
                    }
                }
                default -> {
                    return error(400, "unknown action '" + msg.path("action").asString() + "'; use subscribe or unsubscribe");
                }
            }
            chose = true;
            return metricsUpdates();
        }

        private List<String> error(int status, String message) {
            return List.of(envelope("error", Map.of("error", message, "status", status), clock.instant().toString()));
        }

        @Override
        public String expired() {
            return envelope("error", Map.of("error", "the token expired; reconnect with a new token", "status", 401), clock.instant().toString());
        }
    }
}
