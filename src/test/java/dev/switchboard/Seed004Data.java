package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An account of seed 004's dialer with two running campaigns, a paused and a completed one, their
 * queues and attempts in every state, written through ingest; and SQL written by hand to check
 * the numbers against. Attempts that count in the dialing rate started within the last 15 s,
 * the others an hour or more ago, so that no attempt crosses the 1-minute window while a test runs.
 */
final class Seed004Data {
    private Seed004Data() {}

    static final String ACCOUNT = "dialer-test";

    static String campaign(String id, String status) {
        return "{\"id\":\"" + id + "\",\"account_id\":\"" + ACCOUNT + "\",\"name\":\"Campaign " + id + "\",\"status\":\"" + status
                + "\",\"dial_mode\":\"progressive\",\"created_at\":\"" + Instant.now().minus(Duration.ofDays(1)) + "\",\"updated_at\":\""
                + Instant.now() + "\"}";
    }

    static String contact(String id, String campaign, String status) {
        return "{\"id\":\"" + id + "\",\"account_id\":\"" + ACCOUNT + "\",\"campaign_id\":\"" + campaign + "\",\"phone_number\":\"+15550123\","
                + "\"status\":\"" + status + "\",\"created_at\":\"" + Instant.now().minus(Duration.ofHours(2)) + "\"}";
    }

    static String attempt(String id, String campaign, String status, String outcome, Duration ago) {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(ago);
        return "{\"id\":\"" + id + "\",\"account_id\":\"" + ACCOUNT + "\",\"campaign_id\":\"" + campaign + "\",\"phone_number\":\"+15550123\","
                + "\"status\":\"" + status + "\"" + (outcome == null ? "" : ",\"outcome\":\"" + outcome + "\"")
                + ",\"started_at\":\"" + started + "\"}";
    }

    /** c-run and c-two run, c-pause is paused (its queue and one attempt still ringing), c-done completed. */
    static void write(TestServer server) throws Exception {
        post(server, "campaigns", List.of(campaign("c-run", "running"), campaign("c-two", "running"), campaign("c-pause", "paused"),
                campaign("c-done", "completed")));
        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            contacts.add(contact("k-run-" + i, "c-run", "queued"));
        }
        contacts.add(contact("k-run-done", "c-run", "completed"));
        contacts.add(contact("k-two-0", "c-two", "queued"));
        contacts.add(contact("k-two-1", "c-two", "queued"));
        for (int i = 0; i < 4; i++) {
            contacts.add(contact("k-pause-" + i, "c-pause", "queued"));
        }
        post(server, "campaign_contacts", contacts);
        Duration s = Duration.ofSeconds(1);
        post(server, "call_attempts", List.of(
                attempt("a1", "c-run", "dialing", null, s.multipliedBy(5)),
                attempt("a2", "c-run", "ringing", null, s.multipliedBy(8)),
                attempt("a3", "c-run", "in_progress", null, s.multipliedBy(14)),
                attempt("a4", "c-run", "ended", "answered", Duration.ofHours(2)),
                attempt("a5", "c-run", "ended", "converted", Duration.ofHours(3)),
                attempt("a6", "c-run", "ended", "busy", s.multipliedBy(12)),
                attempt("a7", "c-run", "ended", "no_answer", Duration.ofHours(4)),
                attempt("b1", "c-two", "ended", "failed", Duration.ofHours(1)),
                attempt("b2", "c-two", "in_progress", null, s.multipliedBy(10)),
                attempt("p1", "c-pause", "ended", "opted_out", Duration.ofHours(5)),
                attempt("p2", "c-pause", "ringing", null, s.multipliedBy(10))));
        // another account's rows, which no number of this one may include
        assertThat(server.post("/api/ingest/other-account/campaigns", campaign("c-run", "running").replace(ACCOUNT, "other-account")
                .replace("\"id\":\"c-run\"", "\"id\":\"o-run\"")).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/ingest/other-account/call_attempts", attempt("o1", "o-run", "dialing", null, s)
                .replace(ACCOUNT, "other-account")).statusCode()).isEqualTo(200);
    }

    static void post(TestServer server, String dataset, List<String> rows) throws Exception {
        var r = server.post("/api/ingest/" + ACCOUNT + "/" + dataset, "[" + String.join(",", rows) + "]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static long sql(TestServer server, String query) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static double sqlDouble(TestServer server, String query) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    /** Hand-written SQL of each definition (docs/seeds/004-dialer.md), for the account and optionally one campaign. */
    static final String ACTIVE = "SELECT count(*) FROM call_attempts WHERE account_id = '" + ACCOUNT
            + "' AND status IN ('dialing', 'ringing', 'in_progress')";
    static final String QUEUE = "SELECT count(*) FROM campaign_contacts c WHERE account_id = '" + ACCOUNT + "' AND status = 'queued'"
            + " AND EXISTS (SELECT 1 FROM campaigns p WHERE p.account_id = c.account_id AND p.id = c.campaign_id AND p.status = 'running')";
    static final String ATTEMPTS = "SELECT count(*) FROM call_attempts WHERE account_id = '" + ACCOUNT + "'";
    static final String RUNNING = "SELECT count(*) FROM campaigns WHERE account_id = '" + ACCOUNT + "' AND status = 'running'";
    static final String ANSWER_RATE = "SELECT 100.0 * sum(outcome IN ('answered', 'converted', 'opted_out')) / count(*) FROM call_attempts"
            + " WHERE account_id = '" + ACCOUNT + "' AND status = 'ended'";

    static String forCampaign(String query, String campaign) {
        return query.contains(" c WHERE ") ? query.replace(" c WHERE ", " c WHERE campaign_id = '" + campaign + "' AND ")
                : query.replace(" WHERE ", " WHERE campaign_id = '" + campaign + "' AND ");
    }
}
