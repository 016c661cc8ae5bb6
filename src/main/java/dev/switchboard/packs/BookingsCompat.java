package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seed 000's API over the bookings pack: {@code GET /api/demo-dashboard/{clientKey}} (its file
 * lines 38-41, 100-111) in the seed's camelCase shape, read from the same live view as
 * {@code GET /api/dashboards/bookings/{clientKey}}; and the voice agent's webhook (line 70,
 * {@code routes/vapi-webhooks.js}) writing its call events into {@code booking_calls} through
 * validated ingest.
 */
final class BookingsCompat {
    private BookingsCompat() {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static void register(Routes routes) {
        routes.get("/api/demo-dashboard/{clientKey}", "Seed 000: the whole dashboard of one client", call -> {
            String tenant = call.tenant(Optional.of(call.param("clientKey")), "");
            Map<String, Object> w = call.widgets("bookings", tenant, Map.of());
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("totalLeads", w.get("total_leads"));
            metrics.put("totalCalls", w.get("total_calls"));
            metrics.put("bookingsThisWeek", w.get("bookings_this_week"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("metrics", metrics);
            body.put("leads", camelRows(w.get("leads")));
            body.put("recentCalls", camelRows(w.get("recent_calls")));
            body.put("appointments", camelRows(w.get("appointments")));
            call.json(200, body);
        });
        routes.post("/api/webhooks/vapi/{clientKey}", "Seed 000: the voice agent's (VAPI) call events", call -> {
            String tenant = call.param("clientKey");
            Optional<String> secret = routes.secret("webhook");
            if (secret.isEmpty() && !call.open()) {
                throw Compat.error(call, 503, "the webhook is not configured: set SWITCHBOARD_WEBHOOK_SECRET (--webhook-secret) "
                        + "and give the same secret to the voice-agent provider");
            }
            call.body(bytes -> {
                secret.ifPresent(s -> verify(call, s, bytes));
                JsonNode message;
                try {
                    message = JSON.readTree(bytes).path("message");
                } catch (JacksonException e) {
                    throw Compat.error(call, 400, "malformed JSON: " + e.getOriginalMessage());
                }
                Optional<Map<String, Object>> row = callRow(message, call.now().toString());
                if (row.isEmpty()) {
                    call.json(200, Map.of("success", true, "ignored", message.path("type").asString("(no type)")));
                    return;
                }
                String position = call.ingest(tenant, "booking_calls", List.of(row.get()));
                call.json(200, Map.of("success", true, "id", row.get().get("id"), "position", position));
            });
        });
    }

    /**
     * The shared secret, sent as is ({@code X-Vapi-Secret}) or as the hex HMAC-SHA256 of the body
     * ({@code X-Vapi-Signature}); compared in constant time. 401 otherwise, before anything is read.
     */
    static void verify(Routes.Call call, String secret, byte[] body) {
        Optional<String> plain = call.header("X-Vapi-Secret");
        if (plain.isPresent() && MessageDigest.isEqual(plain.get().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        Optional<String> signature = call.header("X-Vapi-Signature").map(s -> s.startsWith("sha256=") ? s.substring(7) : s);
        if (signature.isPresent() && MessageDigest.isEqual(signature.get().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                dev.switchboard.auth.Signatures.hmacSha256Hex(secret, body).getBytes(StandardCharsets.US_ASCII))) {
            return;
        }
        throw Compat.error(call, 401, "the webhook's secret is missing or wrong: send X-Vapi-Secret, or X-Vapi-Signature with "
                + "the hex HMAC-SHA256 of the body; nothing was written");
    }

    /**
     * The booking_calls row a VAPI server message describes: {@code status-update} (queued,
     * ringing, in-progress, ended) and {@code end-of-call-report} (reason, duration, cost, summary,
     * recording); other message types (transcripts, speech updates) write nothing.
     */
    static Optional<Map<String, Object>> callRow(JsonNode message, String now) {
        String type = message.path("type").asString("");
        JsonNode c = message.path("call");
        String id = c.path("id").asString("");
        if (id.isEmpty() || !(type.equals("status-update") || type.equals("end-of-call-report"))) {
            return Optional.empty();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("vapi_call_id", id);
        text(c.path("metadata").path("lead_id")).ifPresent(v -> row.put("lead_id", v));
        text(c.path("customer").path("number")).ifPresent(v -> row.put("phone", v));
        text(c.path("type")).ifPresent(v -> row.put("direction", v.startsWith("inbound") ? "inbound" : "outbound"));
        row.put("created_at", text(c.path("createdAt")).orElse(now));
        row.put("updated_at", now);
        if (type.equals("status-update")) {
            String status = switch (message.path("status").asString("")) {
                case "queued", "scheduled" -> "queued";
                case "ringing" -> "ringing";
                case "in-progress", "forwarding" -> "in_progress";
                case "ended" -> "ended";
                default -> "";
            };
            if (status.isEmpty()) {
                return Optional.empty();
            }
            row.put("status", status);
            if (status.equals("in_progress")) {
                text(c.path("startedAt")).ifPresent(v -> row.put("started_at", v));
            }
            return Optional.of(row);
        }
        row.put("status", "ended");
        text(message.path("endedReason")).ifPresent(v -> row.put("ended_reason", v));
        text(message.path("analysis").path("structuredData").path("outcome")).ifPresent(v -> row.put("outcome", v));
        text(message.path("analysis").path("summary")).or(() -> text(message.path("summary"))).ifPresent(v -> row.put("summary", v));
        text(message.path("recordingUrl")).or(() -> text(message.path("artifact").path("recordingUrl"))).ifPresent(v -> row.put("recording_url", v));
        text(message.path("startedAt")).ifPresent(v -> row.put("started_at", v));
        text(message.path("endedAt")).ifPresent(v -> row.put("ended_at", v));
        if (message.path("durationSeconds").isNumber()) {
            row.put("duration", Math.round(message.path("durationSeconds").asDouble()));
        }
        if (message.path("cost").isNumber()) {
            row.put("cost", message.path("cost").asDouble());
        }
        return Optional.of(row);
    }

    private static Optional<String> text(JsonNode n) {
        return n.isString() && !n.asString().isBlank() ? Optional.of(n.asString()) : Optional.empty();
    }

    private static List<Map<String, Object>> camelRows(Object widget) {
        List<Map<String, Object>> out = new ArrayList<>();
        CallsCompat.rows(widget).forEach(r -> out.add(Compat.camelRow(r, Map.of())));
        return out;
    }
}
