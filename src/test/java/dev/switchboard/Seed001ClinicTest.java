package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 001 (dental clinic real-time sync, seeds/001_637876396c925943.txt) against a real server in
 * serve mode: its API test (l.250-258: API-1 health, API-2 status, with curl), its manual
 * checklist (l.232-247: C1 booking, C2 availability, C3 status changes) with the hooks' channels
 * as SSE streams and the dashboards as native streams, the admin-only statistics (l.193-197), and
 * the errors a wrong role or a bad channel gets.
 */
class Seed001ClinicTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CLINIC = "smile";
    @TempDir
    Path dir;

    static String token(String sub, String scope, String role) throws Exception {
        return AuthTest.token(CLINIC, sub, scope, role, Instant.now().plusSeconds(3600));
    }

    static String appointment(String id, String patient, String dentist, String status, String source, Instant start) {
        return "{\"id\":\"" + id + "\",\"patient_id\":\"" + patient + "\",\"dentist_id\":\"" + dentist + "\",\"status\":\"" + status
                + "\",\"source\":\"" + source + "\",\"treatment\":\"cleaning\",\"start_time\":\"" + start + "\",\"end_time\":\""
                + start.plus(Duration.ofMinutes(30)) + "\",\"created_at\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\"}";
    }

    static String slot(String id, String dentist, String status, Instant start, String appointment) {
        return "{\"id\":\"" + id + "\",\"dentist_id\":\"" + dentist + "\",\"status\":\"" + status + "\",\"start_time\":\"" + start
                + "\",\"end_time\":\"" + start.plus(Duration.ofMinutes(30)) + "\"" + (appointment == null ? "" : ",\"appointment_id\":\"" + appointment + "\"")
                + ",\"created_at\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\"}";
    }

    static void write(TestServer server, String token, String dataset, String json) throws Exception {
        var r = server.post("/api/ingest/" + CLINIC + "/" + dataset, json, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static SseClient channel(TestServer server, String channel, String token) throws Exception {
        return new SseClient(server.sb.port(), "/api/realtime/channels/" + channel + "?access_token=" + token, null);
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "20", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** A curl answer's status (its last line) and JSON body. */
    record Answer(int status, JsonNode body) {
        static Answer of(String curl) {
            int nl = curl.lastIndexOf('\n');
            return new Answer(Integer.parseInt(curl.substring(nl + 1).trim()), TestServer.JSON.readTree(curl.substring(0, nl)));
        }
    }

    private static Instant tomorrowAt(int hour) {
        return Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)).plus(Duration.ofHours(hour));
    }

    private static boolean is(SseClient.Event e, String type, String key) {
        return e.type().equals(type) && key.equals(e.data().path("id").asString(e.data().path("availability").path("id").asString("")));
    }

    @Test
    void api1Health_l252_andApi2Status_l255_withCurl_showTheCallersOwnSubscriptions() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            Answer health = Answer.of(curl(server.base() + "/api/realtime/health"));
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body().path("status").asString()).isEqualTo("healthy");
            assertThat(health.body().path("service").asString()).isEqualTo("realtime-sync");
            assertThat(health.body().path("activeSubscriptions").asInt()).isZero();
            assertThat(Instant.parse(health.body().path("timestamp").asString())).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));

            String patient = token("p-1", "patient", null);
            String dentist = token("dr-chen", "dentist", null);
            try (SseClient a = channel(server, "appointments:patient:p-1", patient);
                 SseClient b = channel(server, "availability:all", patient);
                 SseClient c = channel(server, "appointments:dentist:dr-chen", dentist)) {
                Awaitility.await().atMost(WAIT).untilAsserted(() ->
                        assertThat(Answer.of(curl(server.base() + "/api/realtime/health")).body().path("activeSubscriptions").asInt()).isEqualTo(3));
                Answer status = Answer.of(curl("-H", "Authorization: Bearer " + patient, server.base() + "/api/realtime/status"));
                assertThat(status.status()).isEqualTo(200);
                assertThat(status.body().path("status").asString()).isEqualTo("active");
                assertThat(status.body().path("activeSubscriptions").asInt()).isEqualTo(2);
                List<String> ids = new ArrayList<>();
                status.body().path("subscriptions").forEach(s -> {
                    assertThat(s.path("channelName").asString()).isEqualTo(s.path("id").asString());
                    assertThat(s.path("active").asBoolean()).isTrue();
                    ids.add(s.path("id").asString());
                });
                assertThat(ids).containsExactlyInAnyOrder("appointments:patient:p-1", "availability:all");
                Answer mine = Answer.of(curl("-H", "Authorization: Bearer " + dentist, server.base() + "/api/realtime/status"));
                assertThat(mine.body().path("subscriptions").get(0).path("id").asString()).isEqualTo("appointments:dentist:dr-chen");
            }
            Answer anonymous = Answer.of(curl(server.base() + "/api/realtime/status"));
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.body().path("error").asString()).contains("Bearer");
        }
    }

    @Test
    void stats_l193_adminOnly_numbersEqualTheNativeSnapshotAndSql() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = token("admin-1", null, "admin");
            Instant soon = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
            write(server, admin, "clinic_appointments", "[" + appointment("a1", "p-1", "dr-chen", "pending", "chatbot", soon) + ","
                    + appointment("a2", "p-2", "dr-chen", "confirmed", "phone", soon.plusSeconds(60)) + "]");
            write(server, admin, "dentist_availability", slot("s1", "dr-chen", "available", tomorrowAt(9), null));
            try (SseClient watching = channel(server, "appointments:admin:admin-1", admin)) {
                Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                    Answer stats = Answer.of(curl("-H", "Authorization: Bearer " + admin, server.base() + "/api/realtime/stats"));
                    assertThat(stats.status()).isEqualTo(200);
                    JsonNode b = stats.body();
                    assertThat(b.path("clinic").asString()).isEqualTo(CLINIC);
                    assertThat(b.path("activeSubscriptions").asInt()).isEqualTo(1);
                    assertThat(b.path("channels").path("appointments").asInt()).isEqualTo(1);
                    assertThat(b.path("appointmentSubscriptionsByRole").path("admin").asInt()).isEqualTo(1);
                    assertThat(b.path("connections").path("active").asInt()).isEqualTo(1);
                    JsonNode clinic = TestServer.json(server.get("/api/dashboards/clinic/" + CLINIC, "Authorization", "Bearer " + admin)).path("widgets");
                    JsonNode slots = TestServer.json(server.get("/api/dashboards/clinic_availability/" + CLINIC, "Authorization", "Bearer " + admin)).path("widgets");
                    assertThat(b.path("live").path("appointmentsToday")).isEqualTo(clinic.path("appointments_today"));
                    assertThat(b.path("live").path("pendingConfirmation").asLong()).isEqualTo(clinic.path("pending_confirmation").asLong())
                            .isEqualTo(sql(server, "SELECT count(*) FROM clinic_appointments WHERE clinic_id='smile' AND status='pending'")).isEqualTo(1);
                    assertThat(b.path("live").path("availableSlots").asLong()).isEqualTo(slots.path("available_slots").asLong())
                            .isEqualTo(sql(server, "SELECT count(*) FROM dentist_availability WHERE clinic_id='smile' AND status='available'")).isEqualTo(1);
                });
            }
            for (String role : List.of("viewer", "writer")) {
                Answer refused = Answer.of(curl("-H", "Authorization: Bearer " + token("u", null, role), server.base() + "/api/realtime/stats"));
                assertThat(refused.status()).as(role).isEqualTo(403);
                assertThat(refused.body().path("error").asString()).contains("admin");
            }
            assertThat(Answer.of(curl("-H", "Authorization: Bearer " + token("p-1", "patient", null), server.base() + "/api/realtime/stats")).status())
                    .isEqualTo(403);
            assertThat(Answer.of(curl(server.base() + "/api/realtime/stats")).status()).isEqualTo(401);
            assertThat(Answer.of(curl("-H", "Authorization: Bearer " + AuthTest.token("other", "x", null, "admin", Instant.now().plusSeconds(600)),
                    server.base() + "/api/realtime/stats?clinic_id=" + CLINIC)).status()).as("another clinic's admin").isEqualTo(403);
        }
    }

    /** Checklist l.234-237: a booking made through the chatbot reaches the admin dashboard and the dentist portal at once. */
    @Test
    void c1_bookViaChatbot_l234_adminAndDentistUpdate() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = token("admin-1", null, "admin");
            String dentist = token("dr-chen", "dentist", null);
            String chatbot = token("chatbot", null, "writer");
            write(server, chatbot, "dentist_availability", slot("s1", "dr-chen", "available", tomorrowAt(9), null));
            try (SseClient adminChannel = channel(server, "appointments:admin:admin-1", admin);
                 SseClient dentistChannel = channel(server, "appointments:dentist:dr-chen", dentist);
                 SseClient adminDashboard = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic&access_token=" + admin, null);
                 SseClient dentistPortal = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic&access_token=" + dentist, null)) {
                adminDashboard.await(e -> e.type().equals("snapshot"), WAIT);
                assertThat(dentistPortal.await(e -> e.type().equals("snapshot"), WAIT).data().path("subject").asString()).isEqualTo("dr-chen");
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status", "Authorization", "Bearer " + dentist))
                        .path("activeSubscriptions").asInt() == 2);

                // the chatbot books: the appointment, and the slot it takes
                write(server, chatbot, "clinic_appointments", appointment("a1", "p-1", "dr-chen", "pending", "chatbot", tomorrowAt(9)));
                write(server, chatbot, "dentist_availability", slot("s1", "dr-chen", "booked", tomorrowAt(9), "a1"));
                write(server, chatbot, "clinic_appointments", appointment("a2", "p-2", "dr-patel", "pending", "chatbot", tomorrowAt(10)));

                SseClient.Event created = adminChannel.await(e -> is(e, "created", "a1"), WAIT);
                assertThat(created.data().path("source").asString()).isEqualTo("chatbot");
                assertThat(created.data().path("patient_id").asString()).isEqualTo("p-1");
                assertThat(created.id()).isNotBlank();
                adminChannel.await(e -> is(e, "created", "a2"), WAIT); // the admin sees every booking
                assertThat(dentistChannel.await(e -> e.type().equals("created"), WAIT).data().path("id").asString()).isEqualTo("a1");
                adminDashboard.await(e -> e.type().equals("delta") && e.data().path("widgets").path("recent_bookings").toString().contains("\"a2\""), WAIT);
                SseClient.Event portal = dentistPortal.await(e -> e.type().equals("delta") && e.data().path("widgets").has("pending_confirmation"), WAIT);
                assertThat(portal.data().path("widgets").path("pending_confirmation").asLong()).isEqualTo(1); // a1 only: a2 is dr-patel's

                // a booking of another dentist never reaches dr-chen: the next event there is a3
                write(server, chatbot, "clinic_appointments", appointment("a3", "p-3", "dr-chen", "pending", "chatbot", tomorrowAt(11)));
                assertThat(dentistChannel.await(e -> e.type().equals("created"), WAIT).data().path("id").asString()).isEqualTo("a3");
            }
        }
    }

    /** Checklist l.239-242: a dentist changes the schedule; the chatbot and the patient dashboard show the new times. */
    @Test
    void c2_dentistUpdatesSchedule_l239_chatbotAndPatientSeeNewTimes() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String dentistWriter = token("dr-chen", "dentist", "writer");
            String chatbot = token("chatbot", null, null);
            String patient = token("p-1", "patient", null);
            write(server, dentistWriter, "dentist_availability", slot("s1", "dr-chen", "available", tomorrowAt(9), null));
            try (SseClient bot = channel(server, "availability:all", chatbot);
                 SseClient patientSlots = channel(server, "availability:dr-chen", patient);
                 SseClient patientDashboard = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic_availability&access_token="
                         + patient, null)) {
                // the patient's view of availability: open slots, one view shared by every patient
                SseClient.Event snap = patientDashboard.await(e -> e.type().equals("snapshot"), WAIT);
                assertThat(snap.data().path("scope").asString()).isEqualTo("patient");
                assertThat(snap.data().path("widgets").path("next_available").toString()).contains("\"s1\"");
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status", "Authorization", "Bearer " + patient))
                        .path("activeSubscriptions").asInt() == 2);

                write(server, dentistWriter, "dentist_availability", slot("s2", "dr-chen", "available", tomorrowAt(14), null));
                SseClient.Event botSees = bot.await(e -> is(e, "availability_changed", "s2"), WAIT);
                assertThat(botSees.data().path("dentistId").asString()).isEqualTo("dr-chen");
                assertThat(botSees.data().path("change").asString()).isEqualTo("created");
                assertThat(botSees.data().path("availability").path("start_time").asString()).isEqualTo(tomorrowAt(14).toString().replace("Z", ".000Z"));
                assertThat(patientSlots.await(e -> is(e, "availability_changed", "s2"), WAIT).data().path("change").asString()).isEqualTo("created");
                patientDashboard.await(e -> e.type().equals("delta") && e.data().path("widgets").path("next_available").toString().contains("\"s2\""), WAIT);

                // the slot is booked by another patient: for the patient it is gone, and nothing of the booking shows
                var other = server.post("/api/ingest/" + CLINIC + "/dentist_availability", slot("s2", "dr-chen", "booked", tomorrowAt(14), "a-of-p-9"),
                        "Authorization", "Bearer " + token("chatbot", null, "writer"));
                assertThat(other.statusCode()).isEqualTo(200);
                SseClient.Event gone = patientSlots.await(e -> e.type().equals("availability_changed"), WAIT);
                assertThat(gone.data().path("change").asString()).isEqualTo("deleted");
                assertThat(gone.data().path("availability").path("status").asString()).isEqualTo("available");
                assertThat(gone.data().toString()).doesNotContain("a-of-p-9");
                assertThat(bot.await(e -> is(e, "availability_changed", "s2"), WAIT).data().path("availability").path("status").asString())
                        .isEqualTo("booked");

                // a patient cannot make slots: its scope ties no slot to it
                var refused = server.post("/api/ingest/" + CLINIC + "/dentist_availability", slot("s9", "dr-chen", "available", tomorrowAt(15), null),
                        "Authorization", "Bearer " + token("p-1", "patient", "writer"));
                assertThat(refused.statusCode()).isEqualTo(403);
            }
        }
    }

    /** Checklist l.244-247: the admin changes an appointment's status; the patient dashboard and the dentist portal update at once. */
    @Test
    void c3_adminUpdatesStatus_l244_patientAndDentistUpdate() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = token("admin-1", null, "admin");
            String patient = token("p-1", "patient", null);
            String dentist = token("dr-chen", "dentist", null);
            write(server, admin, "clinic_appointments", appointment("a1", "p-1", "dr-chen", "pending", "chatbot", tomorrowAt(9)));
            try (SseClient patientChannel = channel(server, "appointments:patient:p-1", patient);
                 SseClient dentistChannel = channel(server, "appointments:dentist:dr-chen", dentist);
                 SseClient patientDashboard = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic&access_token=" + patient, null)) {
                assertThat(patientDashboard.await(e -> e.type().equals("snapshot"), WAIT).data().path("widgets").path("pending_confirmation").asLong())
                        .isEqualTo(1);
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status", "Authorization", "Bearer " + dentist))
                        .path("activeSubscriptions").asInt() == 1);
                write(server, admin, "clinic_appointments", appointment("a1", "p-1", "dr-chen", "confirmed", "chatbot", tomorrowAt(9)));
                SseClient.Event updated = patientChannel.await(e -> is(e, "updated", "a1"), WAIT);
                assertThat(updated.data().path("status").asString()).isEqualTo("confirmed");
                assertThat(dentistChannel.await(e -> is(e, "updated", "a1"), WAIT).data().path("status").asString()).isEqualTo("confirmed");
                SseClient.Event delta = patientDashboard.await(e -> e.type().equals("delta") && e.data().path("widgets").has("pending_confirmation"), WAIT);
                assertThat(delta.data().path("widgets").path("pending_confirmation").asLong()).isZero();
                // the admin cancels it: the seed's hooks see an update with the new status
                write(server, admin, "clinic_appointments", appointment("a1", "p-1", "dr-chen", "cancelled", "chatbot", tomorrowAt(9)));
                assertThat(patientChannel.await(e -> is(e, "updated", "a1"), WAIT).data().path("status").asString()).isEqualTo("cancelled");
            }
        }
    }

    @Test
    void wrongRolesAndBadChannels_getClearErrors() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String patient = token("p-1", "patient", null);
            String dentist = token("dr-chen", "dentist", null);
            String viewer = token("frontdesk", null, null);
            record Case(String channel, String token, int status, String says) {}
            for (Case c : List.of(new Case("nope", patient, 400, "unknown channel"), new Case("appointments:nurse:n1", viewer, 400, "unknown channel"),
                    new Case("appointments:patient:", viewer, 400, "unknown channel"), new Case("availability:", viewer, 400, "unknown channel"),
                    new Case("appointments:patient:p-2", patient, 403, "own channels"), new Case("appointments:admin:p-1", patient, 403, "own channels"),
                    new Case("appointments:dentist:dr-patel", dentist, 403, "own channels"), new Case("availability:dr-patel", dentist, 403, "own channels"),
                    new Case("appointments:admin:frontdesk", viewer, 403, "admin token"))) {
                Answer a = Answer.of(curl("-H", "Authorization: Bearer " + c.token(), server.base() + "/api/realtime/channels/" + c.channel()));
                assertThat(a.status()).as(c.channel()).isEqualTo(c.status());
                assertThat(a.body().path("error").asString()).as(c.channel()).contains(c.says());
            }
            assertThat(Answer.of(curl(server.base() + "/api/realtime/channels/availability:all")).status()).isEqualTo(401);
            assertThat(Answer.of(curl("-H", "Authorization: Bearer " + viewer, server.base() + "/api/realtime/channels/appointments:chatbot:x?clinic_id=other"))
                    .status()).as("another clinic").isEqualTo(403);
            assertThat(Answer.of(curl("-X", "POST", server.base() + "/api/realtime/health")).status()).isEqualTo(405);
            // refused openings are counted as failed connection attempts of the clinic
            JsonNode stats = TestServer.json(server.get("/api/realtime/stats", "Authorization", "Bearer " + token("a", null, "admin")));
            assertThat(stats.path("connections").path("failedAttempts").asLong()).isGreaterThanOrEqualTo(9);
        }
    }

    @Test
    void demoMode_channelsNeedNoToken_theClinicComesFromTheQuery() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            try (SseClient c = new SseClient(server.sb.port(), "/api/realtime/channels/appointments:patient:p-1?clinic_id=" + CLINIC, null)) {
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status?clinic_id=" + CLINIC))
                        .path("activeSubscriptions").asInt() == 1);
                server.post("/api/ingest/" + CLINIC + "/clinic_appointments", "[" + appointment("x", "p-2", "dr-chen", "pending", "admin", tomorrowAt(8)) + ","
                        + appointment("y", "p-1", "dr-chen", "pending", "admin", tomorrowAt(9)) + "]");
                assertThat(c.await(e -> e.type().equals("created"), WAIT).data().path("id").asString()).isEqualTo("y");
                assertThat(TestServer.json(server.get("/api/realtime/stats?clinic_id=" + CLINIC)).path("activeSubscriptions").asInt()).isEqualTo(1);
            }
        }
    }

    static long sql(TestServer server, String query) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
