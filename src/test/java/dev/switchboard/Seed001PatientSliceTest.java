package dev.switchboard;

import static dev.switchboard.Seed001ClinicTest.CLINIC;
import static dev.switchboard.Seed001ClinicTest.appointment;
import static dev.switchboard.Seed001ClinicTest.slot;
import static dev.switchboard.Seed001ClinicTest.token;
import static dev.switchboard.Seed001ClinicTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
 * Issue 9, seed 001: a patient receives changes of its own appointments only, by every path a
 * client can take: the seed's channel, the native dataset stream over SSE and WebSocket (also when
 * subscribing by message), long-polling, a resume from the ring, a resume from before its slice
 * existed (served from the change log), the dashboard snapshot and stream, and rows moved between
 * patients. Everything of patient p-2 carries the marker {@code P2-PRIVATE}; after each batch a row
 * of p-1 marks the end, and since a stream is in commit order, nothing of p-2 may have arrived
 * before it.
 */
class Seed001PatientSliceTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String MARK = "P2-PRIVATE";
    @TempDir
    Path dir;

    private static Instant at(int hour) {
        return Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(2)).plus(Duration.ofHours(hour));
    }

    private static String mine(String id, String status) {
        return appointment(id, "p-1", "dr-chen", status, "patient_portal", at(9));
    }

    private static String theirs(String id, String status) {
        return appointment(id, "p-2", "dr-chen", status, "phone", at(10)).replace("\"treatment\":\"cleaning\"", "\"notes\":\"" + MARK + "\"");
    }

    @Test
    void aPatientNeverReceivesAnotherPatientsRow_byAnyPath() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = token("admin-1", null, "admin");
            String patient = token("p-1", "patient", null);
            String q = "access_token=" + patient;
            // history from before any slice of p-1 exists: a resume from here is read from the change log
            String before = TestServer.json(server.post("/api/ingest/" + CLINIC + "/clinic_appointments", theirs("t0", "pending"),
                    "Authorization", "Bearer " + admin)).path("position").asString();
            write(server, admin, "clinic_appointments", "[" + theirs("t1", "pending") + "," + mine("m1", "pending") + "," + theirs("t2", "confirmed") + "]");

            try (SseClient channel = Seed001ClinicTest.channel(server, "appointments:patient:p-1", patient);
                 SseClient sse = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=clinic_appointments&" + q, null);
                 SseClient backfilled = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=clinic_appointments&" + q, before);
                 SseClient dashboard = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic&" + q, null);
                 WsClient ws = new WsClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=clinic_appointments&" + q);
                 WsClient wsBySubscribe = new WsClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic&" + q)) {
                // the resume from before the slice existed replays p-1's m1 only, from the change log
                assertThat(backfilled.await(e -> e.type().equals("change"), WAIT).data().path("key").asString()).isEqualTo("m1");
                assertThat(dashboard.await(e -> e.type().equals("snapshot"), WAIT).data().toString()).contains("m1").doesNotContain(MARK);
                wsBySubscribe.await(WsClient.event("snapshot"), WAIT);
                // asking for another slice in the message changes nothing: the token's scope decides; the snapshot of the
                // dashboard subscribed with it says the new subscription is registered
                wsBySubscribe.send("{\"action\":\"subscribe\",\"datasets\":[\"clinic_appointments\"],\"dashboards\":[\"clinic_availability\"],"
                        + "\"params\":{\"scope\":\"dentist\",\"sub\":\"dr-chen\"}}");
                assertThat(wsBySubscribe.await(n -> n.path("event").asString().equals("snapshot")
                        && n.path("data").path("dashboard").asString().equals("clinic_availability"), WAIT).path("data").path("scope").asString())
                        .isEqualTo("patient");
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status", "Authorization", "Bearer " + patient))
                        .path("activeSubscriptions").asInt() == 6);
                String since = server.sb.feed().position().toString(); // where the polls and reconnects below resume from

                // live: p-2's rows, p-2's row moved to p-1 and back, p-1's row moved to p-2; then an end marker of p-1
                write(server, admin, "clinic_appointments", theirs("t3", "pending"));
                write(server, admin, "clinic_appointments", theirs("t1", "confirmed"));
                write(server, admin, "clinic_appointments", mine("m2", "pending"));
                write(server, admin, "clinic_appointments", mine("m2", "pending").replace("\"p-1\"", "\"p-2\"").replace("\"cleaning\"", "\"" + MARK + "\""));
                write(server, admin, "clinic_appointments", theirs("t4", "pending"));
                write(server, admin, "clinic_appointments", theirs("t4", "pending").replace("\"p-2\"", "\"p-1\"").replace(MARK, "now p-1's"));
                write(server, admin, "clinic_appointments", mine("end", "confirmed"));

                List<JsonNode> got = new ArrayList<>();
                got.addAll(untilEnd(channel, e -> e.type().equals("created") && e.data().path("id").asString().equals("end")));
                got.addAll(untilEnd(sse, e -> isEnd(e.data())));
                got.addAll(untilEnd(backfilled, e -> isEnd(e.data())));
                got.addAll(untilEnd(dashboard, e -> e.data().path("widgets").toString().contains("\"end\"")));
                got.addAll(untilEnd(ws));
                got.addAll(untilEnd(wsBySubscribe));
                JsonNode polled = TestServer.json(server.get("/api/poll/" + CLINIC + "?datasets=clinic_appointments&wait=5&since=" + since + "&" + q));
                assertThat(polled.path("events").toString()).contains("\"end\"");
                got.add(polled);
                // a reconnect resuming from the ring
                try (SseClient resumed = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=clinic_appointments&" + q, since)) {
                    got.addAll(untilEnd(resumed, e -> isEnd(e.data())));
                }
                got.add(TestServer.json(server.get("/api/dashboards/clinic/" + CLINIC + "?scope=&sub=p-2", "Authorization", "Bearer " + patient)));

                for (JsonNode n : got) {
                    assertThat(n.toString()).doesNotContain(MARK).doesNotContain("\"p-2\"");
                }
                // what moving rows looks like from p-1's side: its m2 left (old image only), t4 arrived (new image only)
                List<String> ops = new ArrayList<>();
                try (SseClient replay = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=clinic_appointments&" + q, since)) {
                    for (SseClient.Event e : untilEnd(replay, e -> isEnd(e.data())).stream().map(d -> new SseClient.Event("", "change", d)).toList()) {
                        ops.add(e.data().path("op").asString() + ":" + e.data().path("key").asString());
                        if (e.data().path("op").asString().equals("d")) {
                            assertThat(e.data().path("after").isNull()).isTrue();
                            assertThat(e.data().path("before").path("patient_id").asString()).isEqualTo("p-1");
                        }
                    }
                }
                assertThat(ops).containsExactly("c:m2", "d:m2", "c:t4", "c:end");
                JsonNode left = got.stream().filter(n -> n.path("op").asString().equals("d")).findFirst().orElseThrow();
                assertThat(left.path("key").asString()).isEqualTo("m2");
            }
        }
    }

    @Test
    void aPatientsAvailabilityStream_carriesOpenSlotsOnly_andItsDashboardIsShared() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = token("admin-1", null, "admin");
            String p1 = token("p-1", "patient", null);
            String p2 = token("p-2", "patient", null);
            try (SseClient slots = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?datasets=dentist_availability&access_token=" + p1, null);
                 SseClient view = new SseClient(server.sb.port(), "/api/events/" + CLINIC + "?dashboards=clinic_availability&access_token=" + p1, null)) {
                view.await(e -> e.type().equals("snapshot"), WAIT);
                Awaitility.await().atMost(WAIT).until(() -> TestServer.json(server.get("/api/realtime/status", "Authorization", "Bearer " + p1))
                        .path("activeSubscriptions").asInt() == 2);
                write(server, admin, "dentist_availability", slot("booked-1", "dr-chen", "booked", at(8), "appt-of-p-2"));
                write(server, admin, "dentist_availability", slot("open-1", "dr-chen", "available", at(9), null));
                write(server, admin, "dentist_availability", slot("blocked-1", "dr-chen", "blocked", at(10), null));
                write(server, admin, "dentist_availability", slot("open-2", "dr-patel", "available", at(11), null));
                List<JsonNode> got = untilEnd(slots, e -> e.data().path("key").asString().equals("open-2"));
                assertThat(got).extracting(n -> n.path("key").asString()).containsExactly("open-1", "open-2");
                assertThat(got.toString()).doesNotContain("appt-of-p-2");
                view.await(e -> e.type().equals("delta") && e.data().path("widgets").path("available_slots").asLong() == 2, WAIT);
            }
            JsonNode one = TestServer.json(server.get("/api/dashboards/clinic_availability/" + CLINIC, "Authorization", "Bearer " + p1));
            JsonNode two = TestServer.json(server.get("/api/dashboards/clinic_availability/" + CLINIC, "Authorization", "Bearer " + p2));
            assertThat(one.path("widgets")).isEqualTo(two.path("widgets"));
            assertThat(one.path("widgets").path("next_available").size()).isEqualTo(2);
            assertThat(one.path("widgets").path("booked_slots_today").asLong()).isZero();
            assertThat(one.toString()).doesNotContain("appt-of-p-2");
            assertThat(server.sb.engine().viewCount()).as("every patient shares one view of open slots").isEqualTo(1);
        }
    }

    private static boolean isEnd(JsonNode data) {
        return data.path("key").asString().equals("end");
    }

    /** Every event's data up to and including the first matching {@code end}. */
    private static List<JsonNode> untilEnd(SseClient c, java.util.function.Predicate<SseClient.Event> end) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        c.await(e -> {
            out.add(e.data());
            return end.test(e);
        }, WAIT);
        return out;
    }

    private static List<JsonNode> untilEnd(WsClient c) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        c.await(n -> {
            out.add(n);
            return n.path("event").asString().equals("change") && isEnd(n.path("data"));
        }, WAIT);
        return out;
    }
}
