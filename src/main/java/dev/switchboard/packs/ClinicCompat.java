package dev.switchboard.packs;

import dev.switchboard.auth.Principal;
import dev.switchboard.http.Routes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Seed 001's real-time sync API (its file lines 159-197, 252-257) over the clinic pack: the
 * health, status and stats routes, and the channels its hooks subscribe to
 * ({@code useRealtimeAppointments}, {@code useRealtimeAvailability}, {@code useRealtimeSync},
 * {@code useChatbotSync}, lines 56-153) as Server-Sent Events streams of the native dataset
 * streams, each row change named as the hooks' callbacks are: {@code created}, {@code updated},
 * {@code deleted}, {@code availability_changed}. A patient's or dentist's channel is its scope's
 * slice of the dataset, filtered on the server (see {@code RowScope}), so it never carries another
 * patient's row. The tenant is the clinic: the token's, or in open access {@code ?clinic_id=}
 * (default {@code bright-smile-dental}).
 */
final class ClinicCompat {
    private ClinicCompat() {}

    static final String DEMO_TENANT = "bright-smile-dental";
    static final String APPOINTMENTS = "clinic_appointments";
    static final String AVAILABILITY = "dentist_availability";
    /** The roles of seed 001 (lines 283-286); a dentist's and a patient's channel is its scope's slice. */
    static final List<String> ROLES = List.of("admin", "dentist", "patient", "chatbot");

    static void register(Routes routes) {
        routes.get("/api/realtime/health", "Seed 001: health of the real-time service, with its open subscriptions", call -> {
            boolean ok = call.healthy();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ok ? "healthy" : "degraded");
            body.put("service", "realtime-sync");
            body.put("activeSubscriptions", call.openStreams());
            body.put("timestamp", call.now().toString());
            call.json(ok ? 200 : 503, body);
        });
        routes.get("/api/realtime/status", "Seed 001: the caller's own open subscriptions (bearer token)", call -> {
            String tenant = tenant(call);
            Principal who = call.principal(tenant);
            List<Map<String, Object>> subscriptions = new ArrayList<>();
            for (Routes.Stream s : call.streams(tenant)) {
                if (call.open() || s.subject().equals(who.subject())) {
                    Map<String, Object> sub = new LinkedHashMap<>();
                    sub.put("id", s.label());
                    sub.put("channelName", s.label());
                    sub.put("active", true);
                    sub.put("transport", s.transport());
                    sub.put("openedAt", s.opened().toString());
                    subscriptions.add(sub);
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "active");
            body.put("activeSubscriptions", subscriptions.size());
            body.put("subscriptions", subscriptions);
            call.json(200, body);
        });
        routes.get("/api/realtime/stats", "Seed 001: the clinic's subscriptions, connections and live counts (admin token)", call -> {
            String tenant = tenant(call);
            if (!call.principal(tenant).administers(tenant)) {
                throw Compat.error(call, 403, "the statistics need an admin token of clinic '" + tenant + "' (role \"admin\")");
            }
            call.json(200, stats(call, tenant));
        });
        routes.stream("/api/realtime/channels/{channel}", "Seed 001: a channel's row events as Server-Sent Events "
                + "(appointments:<role>:<userId>, availability:<dentistId>|all)", call -> {
            String tenant = tenant(call);
            Channel channel = Channel.parse(call, call.param("channel"));
            channel.authorize(call, call.principal(tenant), tenant);
            call.stream(tenant, channel.watching(), channel::frame);
        });
    }

    /** The clinic: the token's, or in open access {@code ?clinic_id=} (the demo clinic by default). */
    private static String tenant(Routes.Call call) {
        return call.tenant(call.query("clinic_id").filter(s -> !s.isBlank()), DEMO_TENANT);
    }

    /** What the admin's statistics show: subscriptions by channel and role, connections, and the live headline counts. */
    private static Map<String, Object> stats(Routes.Call call, String tenant) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        Map<String, Long> byRole = new LinkedHashMap<>();
        List<Routes.Stream> streams = call.streams(tenant);
        for (Routes.Stream s : streams) {
            String[] parts = s.label().split(":", 3);
            String kind = parts[0].equals("appointments") || parts[0].equals("availability") ? parts[0] : "other";
            byKind.merge(kind, 1L, Long::sum);
            if (kind.equals("appointments") && parts.length == 3) {
                byRole.merge(parts[1], 1L, Long::sum);
            }
        }
        Routes.Connections c = call.connections(tenant);
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("active", c.active());
        connections.put("opened", c.opened());
        connections.put("failedAttempts", c.failed());
        connections.put("messageErrors", c.messageErrors());
        connections.put("ended", c.ended());
        connections.put("averageEndedSeconds", c.ended() == 0 ? 0 : c.endedSeconds() / c.ended());
        connections.put("averageOpenSeconds", c.averageOpenSeconds());
        connections.put("longestOpenSeconds", c.longestOpenSeconds());
        Map<String, Object> clinic = call.widgets("clinic", tenant, Map.of());
        Map<String, Object> slots = call.widgets("clinic_availability", tenant, Map.of());
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("appointmentsToday", clinic.get("appointments_today"));
        live.put("pendingConfirmation", clinic.get("pending_confirmation"));
        live.put("availableSlots", slots.get("available_slots"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clinic", tenant);
        body.put("activeSubscriptions", streams.size());
        body.put("channels", byKind);
        body.put("appointmentSubscriptionsByRole", byRole);
        body.put("connections", connections);
        body.put("live", live);
        body.put("timestamp", call.now().toString());
        return body;
    }

    /**
     * A channel of seed 001: {@code appointments:<role>:<userId>} (what that user may see of the
     * appointments) or {@code availability:<dentistId>} / {@code availability:all}.
     *
     * @param dataset the dataset it carries
     * @param role the appointment channel's role; empty for availability
     * @param id the user (appointments) or dentist ({@code all} for every dentist)
     */
    record Channel(String name, String dataset, String role, String id) {
        static Channel parse(Routes.Call call, String name) {
            String[] p = name.split(":", -1);
            if (p.length == 3 && p[0].equals("appointments") && ROLES.contains(p[1]) && !p[2].isEmpty()) {
                return new Channel(name, APPOINTMENTS, p[1], p[2]);
            }
            if (p.length == 2 && p[0].equals("availability") && !p[1].isEmpty()) {
                return new Channel(name, AVAILABILITY, "", p[1]);
            }
            throw Compat.error(call, 400, "unknown channel '" + name + "': use appointments:<role>:<userId> with role "
                    + String.join(", ", ROLES) + ", or availability:<dentistId>, or availability:all");
        }

        /**
         * Whether {@code who} may open this channel: a patient or dentist token only its own
         * (a dentist's availability only its own schedule), the admin channel only an admin, the
         * others any token of the clinic that is not confined to a scope.
         */
        void authorize(Routes.Call call, Principal who, String tenant) {
            if (call.open()) {
                return;
            }
            if (who.scoped()) {
                boolean own = dataset.equals(APPOINTMENTS) ? role.equals(who.scope()) && id.equals(who.subject())
                        : who.scope().equals("patient") || id.equals("all") || id.equals(who.subject());
                if (!own) {
                    throw Compat.error(call, 403, "a token of " + who.scope() + " " + who.subject() + " may open its own channels only ("
                            + (who.scope().equals("dentist") ? "appointments:dentist:" + who.subject() + ", availability:" + who.subject()
                            : "appointments:" + who.scope() + ":" + who.subject() + ", availability:<dentistId>|all") + "), not " + name);
                }
                return;
            }
            if (role.equals("admin") && !who.administers(tenant)) {
                throw Compat.error(call, 403, "the admin channel needs an admin token of clinic '" + tenant + "' (role \"admin\")");
            }
        }

        /**
         * What the stream watches: the dataset, as the channel's user sees it (a patient's or
         * dentist's appointment channel is its scope's slice; a token confined to a scope gets its
         * own slice whatever is asked).
         */
        Routes.Watching watching() {
            boolean slice = role.equals("patient") || role.equals("dentist");
            Map<String, String> params = slice ? Map.of("scope", role, "sub", id) : Map.of();
            return new Routes.Watching(List.of(), List.of(dataset), params, name);
        }

        /** A native event as this channel's clients receive it. */
        Optional<Routes.Frame> frame(String type, JsonNode data) {
            if (type.equals("reset")) {
                return Optional.of(new Routes.Frame("reset", data));
            }
            if (!type.equals("change") || !data.path("dataset").asString("").equals(dataset)) {
                return Optional.empty();
            }
            String op = switch (data.path("op").asString("")) {
                case "c" -> "created";
                case "u" -> "updated";
                case "d" -> "deleted";
                default -> "";
            };
            if (op.isEmpty()) {
                return Optional.empty();
            }
            JsonNode row = op.equals("deleted") ? data.path("before") : data.path("after");
            if (dataset.equals(APPOINTMENTS)) {
                return Optional.of(new Routes.Frame(op, row));
            }
            String dentist = row.path("dentist_id").asString("");
            if (!id.equals("all") && !id.equals(dentist)) {
                return Optional.empty();
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dentistId", dentist);
            body.put("change", op);
            body.put("availability", row);
            return Optional.of(new Routes.Frame("availability_changed", body));
        }
    }
}
