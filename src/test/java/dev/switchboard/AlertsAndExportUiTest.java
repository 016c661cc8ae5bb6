package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * Each of the five shipped dashboards, as shipped, in Debian's Chromium (headless) on a fresh
 * tenant of one real server: rows that break the dashboard's declared alert make it fire once its
 * {@code for:} has passed - the banner, the toast and the outlined stat - and rows that mend it
 * clear it; then a table or list widget's CSV link downloads the rows SQL has for that tenant.
 * The server's clock runs ahead of real time by an offset the test moves, so a {@code for: 1h}
 * passes at once; the test asserts the alert holds back until then. Screenshots of each firing
 * alert go to target/screenshots/alerts-*.png.
 */
@Tag("browser")
class AlertsAndExportUiTest extends ChromiumPage {
    static final Path SHOTS = Paths.get("target", "screenshots");

    @TempDir
    static Path root;
    static TestServer server;
    static final AheadClock CLOCK = new AheadClock();

    /** Real time plus an offset that only grows: the views' windows keep moving, and a test can skip a {@code for:}. */
    static final class AheadClock extends Clock {
        private final AtomicLong ahead = new AtomicLong();

        void skip(Duration d) {
            ahead.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return System.currentTimeMillis() + ahead.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }
    }

    /**
     * One dashboard's case: the stat whose alert is tested, its {@code for:}, its message; the rows
     * that make it hold (and the value the stat then shows), the rows that mend it; the table or
     * list widget to export, the CSV columns compared, and the SQL (one tenant parameter) giving
     * the same rows in the same order.
     */
    record Case(String dashboard, String widget, Duration hold, String message, String severity,
                Function<String, Map<String, String>> breaking, double brokenValue, Function<String, Map<String, String>> mending,
                String export, List<String> columns, String sql, boolean ordered) {
        @Override
        public String toString() {
            return dashboard;
        }
    }

    static Stream<Case> dashboards() {
        return Stream.of(
                new Case("calls", "active_calls", Duration.ofMinutes(1), "More than 5 calls at once for a minute", "info",
                        AlertsAndExportUiTest::sixActiveCalls, 6, t -> Map.of("call_logs", "{\"id\":\"" + t + "-a0\",\"status\":\"ended\"}"),
                        "agents", List.of("agent_config_id", "total_calls"),
                        "SELECT agent_config_id, count(*) FROM call_logs WHERE user_id = ? GROUP BY agent_config_id", false),
                new Case("bookings", "booking_rate", Duration.ofHours(1), "Fewer than 1 in 10 ended calls booked for an hour", "warning",
                        t -> Map.of("booking_calls", bookingCalls(t, 0, 4, "not_interested")), 0,
                        t -> Map.of("booking_calls", bookingCalls(t, 4, 1, "booked")),
                        "recent_calls", List.of("id", "outcome"),
                        "SELECT id, outcome FROM booking_calls WHERE client_key = ? ORDER BY created_at DESC LIMIT 20", true),
                new Case("clinic", "waiting_room", Duration.ofMinutes(15), "More than 5 patients waiting for 15 minutes", "warning",
                        t -> Map.of("clinic_appointments", appointments(t, 6, "checked_in")), 6,
                        t -> Map.of("clinic_appointments", appointments(t, 1, "in_progress")),
                        "recent_bookings", List.of("patient_id", "status"),
                        "SELECT patient_id, status FROM clinic_appointments WHERE clinic_id = ? ORDER BY created_at DESC LIMIT 10", true),
                new Case("shop", "active_repairs", Duration.ofMinutes(30), "More than 30 repairs on the bench for half an hour", "warning",
                        t -> Map.of("tickets", tickets(t, 0, 31, "open")), 31,
                        t -> Map.of("tickets", tickets(t, 0, 1, "ready_for_pickup")),
                        "recent_tickets", List.of("ticket_number", "status"),
                        "SELECT ticket_number, status FROM tickets WHERE shop_id = ? ORDER BY updated_at DESC LIMIT 10", true),
                new Case("campaigns", "queue_depth", Duration.ofMinutes(2), "More than 100 contacts queued for 2 minutes", "warning",
                        AlertsAndExportUiTest::campaignQueue, 104,
                        t -> Map.of("campaigns", campaign(t, "a", "Spring Promo", "paused")),
                        "campaign_performance", List.of("campaign_id", "attempts", "answered"),
                        "SELECT campaign_id, count(*), sum(outcome IN ('answered', 'converted', 'opted_out')) FROM call_attempts"
                                + " WHERE account_id = ? AND status = 'ended' GROUP BY campaign_id", false));
    }

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createDirectories(root.resolve("data"));
        server = new TestServer(data, TestServer.config(data, true, Optional.empty()), dev.switchboard.limits.Limits.DEFAULTS, CLOCK);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void declaredAlert_firesAfterItsFor_andClears_andTheCsvMatchesSql(Case c) throws Exception {
        String tenant = "al-" + c.dashboard() + "-" + Long.toHexString(System.nanoTime());
        page.context().close();
        page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900).setAcceptDownloads(true).setBypassCSP(true)).newPage();
        page.onPageError(pageErrors::add);
        page.navigate(server.base() + "/?dashboard=" + c.dashboard() + "&tenant=" + tenant);
        awaitState("live");
        assertThat(page.locator("#alerts").isHidden()).isTrue();

        // The condition holds, but not yet for its `for:`: nothing fires.
        ingest(tenant, c.breaking().apply(tenant));
        await("(v => v !== undefined && parseFloat(v.replace(/[^0-9.]/g, '')) === " + c.brokenValue() + ")"
                + "(document.querySelector(\"[data-widget='" + c.widget() + "']\")?.dataset.value)");
        server.sb.engine().tick();
        assertThat(page.locator("#alerts").getAttribute("data-count")).isIn(null, "0");
        assertThat(TestServer.json(server.get("/api/alerts/" + tenant)).path("firing").size()).isZero();

        // Its `for:` passes (the server's clock skips it): it fires, in the banner, a toast and the stat.
        CLOCK.skip(c.hold().plusSeconds(5));
        server.sb.engine().tick();
        waitFor("#alerts[data-count='1']");
        assertThat(page.locator("#alerts").innerText()).contains("1 alert firing").contains(c.message()).containsIgnoringCase(c.severity());
        awaitToast("Alert: " + c.message());
        waitFor("[data-widget='" + c.widget() + "'][data-alert='firing']");
        var firing = TestServer.json(server.get("/api/alerts/" + tenant)).path("firing");
        assertThat(firing.size()).isOne();
        assertThat(firing.get(0).path("widget").asString()).isEqualTo(c.widget());
        assertThat(firing.get(0).path("dashboard").asString()).isEqualTo(c.dashboard());
        page.waitForTimeout(300); // let charts draw for the picture a person looks at
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("alerts-" + c.dashboard() + "-firing.png")).setFullPage(true));

        // Rows that mend it: it resolves at once.
        ingest(tenant, c.mending().apply(tenant));
        waitFor("#alerts[data-count='0']");
        assertThat(page.locator("#alerts").isHidden()).isTrue();
        awaitToast("Resolved: " + c.message());
        assertThat(page.locator("[data-widget='" + c.widget() + "'][data-alert]").count()).isZero();
        assertThat(TestServer.json(server.get("/api/alerts/" + tenant)).path("firing").size()).isZero();

        // The CSV link of a table or list widget downloads the rows SQL has for this tenant.
        List<List<String>> sql = sql(c.sql(), tenant);
        assertThat(sql).as("rows in SQL").hasSizeGreaterThan(1);
        waitFor("[data-widget='" + c.export() + "'][data-count='" + sql.size() + "']");
        Locator link = page.locator("[data-widget='" + c.export() + "'] a.csv");
        assertThat(link.getAttribute("href")).startsWith("/api/export/" + c.dashboard() + "/" + tenant + "/" + c.export());
        Download download = page.waitForDownload(link::click);
        assertThat(download.suggestedFilename()).isEqualTo(c.dashboard() + "-" + tenant + "-" + c.export() + ".csv");
        List<List<String>> csv = new ArrayList<>();
        for (Map<String, String> row : csv(Files.readString(download.path()))) {
            csv.add(c.columns().stream().map(col -> {
                assertThat(row).as("CSV columns").containsKey(col);
                return row.get(col);
            }).toList());
        }
        if (c.ordered()) {
            assertThat(csv).containsExactlyElementsOf(sql);
        } else {
            assertThat(csv).containsExactlyInAnyOrderElementsOf(sql);
        }
    }

    void awaitToast(String text) {
        await("document.getElementById('toast')?.textContent === " + TestServer.JSON.writeValueAsString(text));
    }

    Locator waitFor(String selector) {
        Locator l = page.locator(selector).first();
        l.waitFor(new Locator.WaitForOptions().setTimeout(WAIT_MS).setState(WaitForSelectorState.ATTACHED));
        return l;
    }

    static void ingest(String tenant, Map<String, String> rowsByDataset) throws Exception {
        for (Map.Entry<String, String> e : rowsByDataset.entrySet()) {
            var r = server.post("/api/ingest/" + tenant + "/" + e.getKey(), e.getValue());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    static List<Map<String, String>> csv(String body) {
        List<Map<String, String>> out = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = CsvMapper.builder().build().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(body)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static List<List<String>> sql(String sql, String tenant) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            try (var rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ rows

    /** Six calls at once over three agents, and six completed ones (the success rate stays at 50 %, not below). */
    static Map<String, String> sixActiveCalls(String t) {
        Instant now = Instant.now();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add("{\"id\":\"" + t + "-a" + i + "\",\"status\":\"active\",\"agent_config_id\":\"agent-" + (i % 3) + "\",\"phone_number\":\"+1555060"
                    + i + "\",\"started_at\":\"" + now.minusSeconds(30 + i) + "\"}");
            rows.add("{\"id\":\"" + t + "-d" + i + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":" + (40 + i)
                    + ",\"agent_config_id\":\"agent-" + (i % 2) + "\",\"phone_number\":\"+1555070" + i + "\",\"started_at\":\""
                    + now.minusSeconds(600L * (i + 1)) + "\"}");
        }
        return Map.of("call_logs", "[" + String.join(",", rows) + "]");
    }

    /** {@code n} ended voice-agent calls numbered from {@code from}, each a minute after the last, all with {@code outcome}. */
    static String bookingCalls(String t, int from, int n, String outcome) {
        Instant base = Instant.now().minus(Duration.ofMinutes(30));
        List<String> rows = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String at = base.plus(Duration.ofMinutes(i)).toString();
            rows.add("{\"id\":\"" + t + "-c" + i + "\",\"phone\":\"+1555080" + i + "\",\"direction\":\"outbound\",\"status\":\"ended\",\"outcome\":\""
                    + outcome + "\",\"duration\":" + (60 + i) + ",\"started_at\":\"" + at + "\",\"ended_at\":\"" + at + "\",\"created_at\":\"" + at + "\"}");
        }
        return "[" + String.join(",", rows) + "]";
    }

    /** Appointments 0 to {@code n - 1}, starting in five minutes, in {@code status}, booked a minute apart. */
    static String appointments(String t, int n, String status) {
        Instant base = Instant.now().minus(Duration.ofHours(2));
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            String created = base.plus(Duration.ofMinutes(k)).toString();
            String start = Instant.now().plus(Duration.ofMinutes(5)).toString();
            rows.add("{\"id\":\"" + t + "-ap" + k + "\",\"patient_id\":\"patient-" + (1001 + k) + "\",\"dentist_id\":\"dr-" + (k % 3)
                    + "\",\"treatment\":\"checkup\",\"status\":\"" + status + "\",\"source\":\"phone\",\"start_time\":\"" + start
                    + "\",\"duration_minutes\":30,\"created_at\":\"" + created + "\",\"updated_at\":\"" + Instant.now() + "\"}");
        }
        return "[" + String.join(",", rows) + "]";
    }

    /** Tickets {@code from} to {@code from + n - 1} in {@code status}: open ones created and updated a minute apart, others updated now. */
    static String tickets(String t, int from, int n, String status) {
        Instant created = Instant.now().minus(Duration.ofHours(3));
        List<String> rows = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String updated = status.equals("open") ? created.plus(Duration.ofMinutes(i)).toString() : Instant.now().toString();
            rows.add("{\"id\":\"" + t + "-tk" + i + "\",\"ticket_number\":\"T-" + (100 + i) + "\",\"device_type\":\"phone\",\"issue\":\"cracked screen\","
                    + "\"status\":\"" + status + "\",\"priority\":\"normal\",\"estimated_cost\":" + (80 + i) + ",\"created_at\":\""
                    + created.plus(Duration.ofMinutes(i)) + "\",\"updated_at\":\"" + updated + "\"}");
        }
        return "[" + String.join(",", rows) + "]";
    }

    static String campaign(String t, String suffix, String name, String status) {
        return "{\"id\":\"" + t + "-cmp-" + suffix + "\",\"name\":\"" + name + "\",\"status\":\"" + status + "\",\"created_at\":\""
                + Instant.now().minus(Duration.ofHours(1)) + "\",\"updated_at\":\"" + Instant.now() + "\"}";
    }

    /**
     * Two running campaigns: "Spring Promo" with 101 queued contacts, "Win-back" with 3 (104 queued); and ended
     * attempts of both (5 and 2), so the per-campaign table has two rows.
     */
    static Map<String, String> campaignQueue(String t) {
        Instant now = Instant.now();
        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < 104; i++) {
            contacts.add("{\"id\":\"" + t + "-ct" + i + "\",\"campaign_id\":\"" + t + "-cmp-" + (i < 101 ? "a" : "b") + "\",\"phone_number\":\"+1555090"
                    + i + "\",\"status\":\"queued\",\"created_at\":\"" + now + "\"}");
        }
        String[] outcomes = {"answered", "no_answer", "converted", "busy", "opted_out", "answered", "voicemail"};
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            attempts.add("{\"id\":\"" + t + "-at" + i + "\",\"campaign_id\":\"" + t + "-cmp-" + (i < 5 ? "a" : "b") + "\",\"phone_number\":\"+1555091" + i
                    + "\",\"status\":\"ended\",\"outcome\":\"" + outcomes[i] + "\",\"started_at\":\"" + now.minusSeconds(300L + i) + "\"}");
        }
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        rows.put("campaigns", "[" + campaign(t, "a", "Spring Promo", "running") + "," + campaign(t, "b", "Win-back", "running") + "]");
        rows.put("call_attempts", "[" + String.join(",", attempts) + "]");
        rows.put("campaign_contacts", "[" + String.join(",", contacts) + "]");
        return rows;
    }
}
