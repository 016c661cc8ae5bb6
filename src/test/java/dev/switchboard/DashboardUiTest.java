package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's trust features in Debian's Chromium (headless), against one real server: the
 * alert banner and toasts, the CSV links, looked-up names instead of ids, light and dark themes,
 * times in the tenant's zone, and the phone layout. Screenshots go to target/screenshots/ui-*.png.
 */
@Tag("browser")
class DashboardUiTest extends ChromiumPage {
    static final ZoneId KIRITIMATI = ZoneId.of("Pacific/Kiritimati");
    static final Path SHOTS = Paths.get("target", "screenshots");

    @TempDir
    static Path root;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path dashboards = Files.createDirectories(root.resolve("dashboards"));
        Files.writeString(dashboards.resolve("watch.yaml"), """
                name: watch
                title: Watch
                description: A low alert threshold, for the browser tests.
                widgets:
                  active: { stat: count, dataset: call_logs, where: { status: active }, alert: { above: 1, message: More than one call at once, severity: critical } }
                  calls: { stat: count, dataset: call_logs }
                  per_hour: { series: count, bucket: 1h, dataset: call_logs, window: 24h }
                  by_agent: { table: agent_config_id, dataset: call_logs, columns: { calls: count, longest: "max(duration)" } }
                  recent: { list: call_logs, order: started_at desc, limit: 10 }
                """);
        Path data = Files.createDirectories(root.resolve("data"));
        Config config = TestServer.config(data, true, Optional.empty())
                .with(Config.DASHBOARDS, Optional.of(dashboards))
                .with(Config.TENANT_ZONES, Map.of("kiri", KIRITIMATI));
        server = new TestServer(data, config, dev.switchboard.limits.Limits.DEFAULTS);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Replaces the default page with one in a context of these options (CSP bypassed for the probes). */
    void reopen(Browser.NewContextOptions options) {
        page.context().close();
        page = browser.newContext(options.setBypassCSP(true)).newPage();
        page.onPageError(pageErrors::add);
    }

    void open(String query) {
        page.navigate(server.base() + "/?" + query);
        awaitState("live");
    }

    Locator waitFor(String selector) {
        Locator l = page.locator(selector).first();
        l.waitFor(new Locator.WaitForOptions().setTimeout(WAIT_MS).setState(WaitForSelectorState.ATTACHED));
        return l;
    }

    static void ingest(String tenant, String dataset, String json) throws Exception {
        var r = server.post("/api/ingest/" + tenant + "/" + dataset, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    void shot(String name) {
        page.waitForTimeout(300); // let charts draw for the picture a person looks at
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("ui-" + name + ".png")).setFullPage(true));
    }

    @Test
    void alert_showsInTheBanner_withAToast_andClears() throws Exception {
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(ColorScheme.DARK));
        open("dashboard=watch&tenant=al");
        assertThat(page.locator("#alerts").isHidden()).isTrue();
        String now = Instant.now().toString();
        ingest("al", "call_logs", "[{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"" + now + "\"},"
                + "{\"id\":\"b\",\"status\":\"active\",\"started_at\":\"" + now + "\"}]");
        waitFor("#alerts[data-count='1']");
        assertThat(page.locator("#alerts").innerText()).contains("1 alert firing").contains("More than one call at once").containsIgnoringCase("critical");
        assertThat(page.locator("#toast").innerText()).isEqualTo("Alert: More than one call at once");
        waitFor("[data-widget='active'][data-alert='firing']");
        shot("alert-firing");

        // A page opened while it fires lists it from GET /api/alerts/{tenant}.
        page.reload();
        waitFor("#alerts[data-count='1'] [data-alert-id]");
        awaitState("live");

        ingest("al", "call_logs", "{\"id\":\"b\",\"status\":\"ended\"}");
        waitFor("#alerts[data-count='0']");
        assertThat(page.locator("#alerts").isHidden()).isTrue();
        assertThat(page.locator("#toast").innerText()).isEqualTo("Resolved: More than one call at once");
        assertThat(page.locator("[data-widget='active'][data-alert]").count()).isZero();
    }

    @Test
    void csvLinks_downloadTheRowsTheSqlHas() throws Exception {
        Instant now = Instant.now();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add("{\"id\":\"x" + i + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":" + (10 + i) + ",\"started_at\":\""
                    + now.minusSeconds(600L * i) + "\",\"agent_config_id\":\"agent-" + (i % 3) + "\",\"phone_number\":\"+1555020" + i + "\"}");
        }
        ingest("ex", "call_logs", "[" + String.join(",", rows) + "]");
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setAcceptDownloads(true));
        open("dashboard=calls&tenant=ex&hours=48");
        waitFor("[data-widget='agents'][data-count='3']");
        Locator link = page.locator("[data-widget='agents'] a.csv");
        assertThat(link.getAttribute("href")).isEqualTo("/api/export/calls/ex/agents?range=48h"); // ?hours=48 is the range 48h
        assertThat(page.locator("[data-widget='recent_calls'] a.csv").count()).isOne();
        assertThat(page.locator("[data-widget='total_calls'] a.csv").count()).isZero(); // stats have none

        Download download = page.waitForDownload(link::click);
        assertThat(download.suggestedFilename()).isEqualTo("calls-ex-agents.csv");
        List<String> lines = Files.readAllLines(download.path());
        List<String> header = List.of(lines.get(0).split(","));
        Map<String, String> totals = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = List.of(line.split(","));
            totals.put(cells.get(header.indexOf("agent_config_id")), cells.get(header.indexOf("total_calls")));
        }
        Map<String, String> sql = new LinkedHashMap<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(
                "SELECT agent_config_id, count(*) FROM call_logs WHERE user_id = 'ex' GROUP BY agent_config_id ORDER BY count(*) DESC, agent_config_id")) {
            while (rs.next()) {
                sql.put(rs.getString(1), Long.toString(rs.getLong(2)));
            }
        }
        assertThat(totals).containsExactlyEntriesOf(sql);

        Download list = page.waitForDownload(() -> page.locator("[data-widget='recent_calls'] a.csv").click());
        List<String> listLines = Files.readAllLines(list.path());
        assertThat(listLines).hasSize(1 + 7);
        assertThat(listLines.get(1)).contains("x0").contains("+15550200"); // newest first, as the widget
    }

    @Test
    void tables_showTheLookedUpName_withTheIdInItsTitle() throws Exception {
        seedCampaign("lb");
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(ColorScheme.DARK));
        open("dashboard=campaigns&tenant=lb");
        Locator table = waitFor("[data-widget='campaign_performance'] table");
        assertThat(table.locator("tbody td").first().innerText()).isEqualTo("Spring Promo");
        assertThat(table.locator("tbody [title='lb-cmp']").innerText()).isEqualTo("Spring Promo");
        assertThat(table.locator("thead th").first().innerText()).isEqualToIgnoringCase("Campaign");
        assertThat(table.innerText()).doesNotContain("lb-cmp").doesNotContain("campaign.name").doesNotContainIgnoringCase("Campaign id");
        assertThat(page.locator("[data-widget='queue_by_campaign'] tbody td").first().innerText()).isEqualTo("Spring Promo");

        // Renaming the campaign renames the row, live.
        ingest("lb", "campaigns", "{\"id\":\"lb-cmp\",\"name\":\"Summer Promo\",\"status\":\"running\",\"created_at\":\"" + Instant.now() + "\"}");
        page.locator("[data-widget='campaign_performance'] tbody [title='lb-cmp']", new Page.LocatorOptions().setHasText("Summer Promo"))
                .waitFor(new Locator.WaitForOptions().setTimeout(WAIT_MS));
        page.waitForTimeout(1800); // the row highlight fades before the picture
        shot("campaigns");
    }

    /** A campaign "Spring Promo" ({@code <tenant>-cmp}: keys are unique across tenants), a queued contact and two ended attempts. */
    static void seedCampaign(String tenant) throws Exception {
        String now = Instant.now().toString();
        String cmp = tenant + "-cmp";
        ingest(tenant, "campaigns", "{\"id\":\"" + cmp + "\",\"name\":\"Spring Promo\",\"status\":\"running\",\"created_at\":\"" + now + "\"}");
        ingest(tenant, "campaign_contacts", "{\"id\":\"" + tenant + "-ct\",\"campaign_id\":\"" + cmp
                + "\",\"phone_number\":\"+15550300\",\"status\":\"queued\",\"created_at\":\"" + now + "\"}");
        ingest(tenant, "call_attempts", "[{\"id\":\"" + tenant + "-at1\",\"campaign_id\":\"" + cmp + "\",\"status\":\"ended\",\"outcome\":\"answered\","
                + "\"started_at\":\"" + now + "\"},{\"id\":\"" + tenant + "-at2\",\"campaign_id\":\"" + cmp
                + "\",\"status\":\"ended\",\"outcome\":\"converted\",\"started_at\":\"" + now + "\"}]");
    }

    @Test
    void lightAndDark_followTheSystem_andTheToggleIsRemembered() throws Exception {
        ingest("th", "call_logs", call("th-1", "+15550400"));
        for (ColorScheme scheme : List.of(ColorScheme.DARK, ColorScheme.LIGHT)) {
            reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(scheme));
            open("dashboard=watch&tenant=th");
            waitFor("[data-widget='recent'][data-count='1']");
            String theme = scheme == ColorScheme.DARK ? "dark" : "light";
            assertThat(page.evaluate("document.body.dataset.theme")).isEqualTo(theme);
            String bg = (String) page.evaluate("getComputedStyle(document.documentElement).backgroundColor");
            assertThat(bg).isEqualTo(theme.equals("dark") ? "rgb(13, 17, 23)" : "rgb(246, 248, 250)");
            shot("watch-" + theme);
        }
        // The system says light; the toggle picks dark, and a reload keeps it.
        page.locator("#theme-toggle").click();
        assertThat(page.evaluate("document.body.dataset.theme")).isEqualTo("dark");
        page.reload();
        awaitState("live");
        assertThat(page.evaluate("document.body.dataset.theme")).isEqualTo("dark");
        assertThat(page.evaluate("getComputedStyle(document.documentElement).backgroundColor")).isEqualTo("rgb(13, 17, 23)");
        assertThat(page.evaluate("localStorage.getItem('switchboard.theme')")).isEqualTo("dark");
    }

    @Test
    void times_showInTheTenantsZone() throws Exception {
        ingest("kiri", "call_logs", call("kz-1", "+15550500"));
        // The browser is in New York; the tenant is in Kiritimati (UTC+14): labels must be Kiritimati's.
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setTimezoneId("America/New_York"));
        // The zone comes with the REST snapshot: hold it until the chart has drawn, so the redraw is tested too.
        List<com.microsoft.playwright.Route> held = new ArrayList<>();
        page.route("**/api/dashboards/watch/kiri**", held::add);
        open("dashboard=watch&tenant=kiri");
        waitFor("[data-widget='per_hour'] [data-ticks]");
        assertThat(held).hasSize(1);
        assertThat(page.locator("#zone").getAttribute("data-zone")).isNull();
        held.get(0).resume();
        waitFor("#zone[data-zone='Pacific/Kiritimati']");
        assertThat(page.locator("#zone").innerText()).isEqualTo("times in Pacific/Kiritimati");
        DateTimeFormatter hm = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH).withZone(KIRITIMATI);
        DateTimeFormatter day = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH).withZone(KIRITIMATI);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String json = (String) page.evaluate("document.querySelector('[data-widget=per_hour] [data-ticks]')?.dataset.ticks ?? '[]'");
            List<List<Object>> ticks = TestServer.JSON.readValue(json, new tools.jackson.core.type.TypeReference<List<List<Object>>>() { });
            assertThat(ticks).isNotEmpty();
            for (List<Object> t : ticks) {
                Instant at = Instant.ofEpochSecond(((Number) t.get(0)).longValue());
                String h = hm.format(at);
                assertThat(t.get(1)).as("tick at %s", at).isEqualTo(h.equals("00:00") ? day.format(at) : h);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            @SuppressWarnings("unchecked")
            List<Object> clock = (List<Object>) page.evaluate("[window.__switchboard.updatedAt, document.getElementById('updated').textContent]");
            Instant at = Instant.ofEpochMilli(((Number) clock.get(0)).longValue());
            assertThat((String) clock.get(1)).startsWith("updated " + DateTimeFormatter.ofPattern("HH:mm:ss").withZone(KIRITIMATI).format(at));
        });
        shot("watch-kiritimati");
    }

    @Test
    void phoneWidth_tablesKeepTheirKeyColumns_andTheHeaderFits() throws Exception {
        seedCampaign("ph");
        reopen(new Browser.NewContextOptions().setViewportSize(390, 844).setDeviceScaleFactor(2).setIsMobile(true).setHasTouch(true));
        open("dashboard=campaigns&tenant=ph");
        Locator table = waitFor("[data-widget='campaign_performance'] table");
        assertThat(table.locator("thead th:visible").count()).isEqualTo(2);
        assertThat(table.locator("thead th:visible").first().innerText()).isEqualToIgnoringCase("Campaign");
        assertThat(table.locator("tbody td:visible").first().innerText()).isEqualTo("Spring Promo");
        assertThat(page.evaluate("document.documentElement.scrollWidth")).isEqualTo(390);
        Object headerRight = page.evaluate("Math.max(...[...document.querySelectorAll('.topbar *')].map(e => e.getBoundingClientRect().right))");
        assertThat(((Number) headerRight).doubleValue()).isLessThanOrEqualTo(390);
        shot("campaigns-phone");
    }
}
