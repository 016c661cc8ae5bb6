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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each of the five packs' dashboards as a person sees it, over simulated traffic (issue 10): names
 * instead of ids, a unit and a period on every figure, no developer text in the header, dark and
 * light, the key columns at 390 px; the overview page at {@code /}; a tenant without rows; the row
 * filter and its CSV. Screenshots go to target/screenshots/pages-*.png.
 */
@Tag("browser")
class DashboardPagesTest extends ChromiumPage {
    static final Path SHOTS = Paths.get("target", "screenshots");
    /** What a stat's caption or a card's meta says for its period. */
    static final String PERIOD = ".*(last \\d+ (h|min|days?|s)|today|this week|this month|upcoming|now|all time|until now).*";

    @TempDir
    static Path root;
    static Switchboard sb;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createDirectories(root.resolve("data"));
        // demo mode with the simulator (its 24 h of history first), as `./switchboard demo`
        Config config = new Config(true, "127.0.0.1", 0, data, Optional.empty(), 30, Optional.empty(), Optional.empty(), false, "pages")
                .with(Config.MAX_VIEWS_PER_PRINCIPAL, 200);
        sb = Switchboard.start(config, java.time.Clock.systemUTC());
        base = "http://127.0.0.1:" + sb.port();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (sb != null) {
            sb.close();
        }
    }

    void reopen(Browser.NewContextOptions options) {
        page.context().close();
        page = browser.newContext(options.setBypassCSP(true)).newPage();
        page.onPageError(pageErrors::add);
    }

    void open(String query) {
        page.navigate(base + "/?" + query);
        awaitState("live");
    }

    Locator waitFor(String selector) {
        Locator l = page.locator(selector).first();
        l.waitFor(new Locator.WaitForOptions().setTimeout(WAIT_MS).setState(WaitForSelectorState.ATTACHED));
        return l;
    }

    void shot(String name) {
        page.waitForTimeout(300); // let charts draw for the picture a person looks at
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("pages-" + name + ".png")).setFullPage(true));
    }

    @SuppressWarnings("unchecked")
    List<String> texts(String selector) {
        return (List<String>) page.evaluate("s => [...document.querySelectorAll(s)].map(e => e.innerText.trim())", selector);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "calls, demo-call-center, agents, average_duration, '^\\d+:\\d\\d$'",
        "bookings, acme-roofing, appointments, booking_rate, '^\\d+(\\.\\d)?%$'",
        "clinic, bright-smile-dental, upcoming_appointments, cancellation_rate, '^\\d+(\\.\\d)?%$'",
        "shop, fixit-downtown, recent_orders, total_revenue, '^\\$[\\d,]+(\\.\\d\\d)?$'",
        "campaigns, acme-outbound, campaign_performance, dialing_rate, '^[\\d.]+ /s$'",
    })
    void everyDashboard_namesUnitsPeriods_darkLightAndPhone(String dashboard, String tenant, String table, String stat, String statFormat) {
        for (ColorScheme scheme : List.of(ColorScheme.DARK, ColorScheme.LIGHT)) {
            reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(scheme));
            open("dashboard=" + dashboard + "&tenant=" + tenant);
            waitFor("[data-widget='" + table + "'] tbody tr");
            await("(document.querySelector(\"[data-widget='" + stat + "']\")?.dataset.value ?? '—') !== '—'");
            String theme = scheme == ColorScheme.DARK ? "dark" : "light";
            assertThat(page.evaluate("document.body.dataset.theme")).isEqualTo(theme);
            assertThat(page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))
                    .isEqualTo(theme.equals("dark") ? "rgb(13, 17, 23)" : "rgb(246, 248, 250)");
            if (scheme == ColorScheme.DARK) {
                checkFigures(dashboard, stat, statFormat);
                checkNames(dashboard);
            }
            assertFiguresFit();
            shot(dashboard + "-" + theme);
        }

        // A phone: the header fits, and the table shows its key columns only.
        reopen(new Browser.NewContextOptions().setViewportSize(390, 844).setDeviceScaleFactor(2).setIsMobile(true).setHasTouch(true));
        open("dashboard=" + dashboard + "&tenant=" + tenant);
        Locator t = waitFor("[data-widget='" + table + "'] table");
        waitFor("[data-widget='" + table + "'] tbody tr");
        assertThat(t.locator("thead th:visible").count()).isEqualTo(2);
        assertThat(t.locator("thead th:visible").allInnerTexts()).allSatisfy(h -> assertThat(h).isNotBlank());
        assertThat(page.evaluate("document.documentElement.scrollWidth")).isEqualTo(390);
        Object headerRight = page.evaluate("Math.max(...[...document.querySelectorAll('.topbar *')].filter(e => e.offsetParent)"
                + ".map(e => e.getBoundingClientRect().right))");
        assertThat(((Number) headerRight).doubleValue()).isLessThanOrEqualTo(390);
        await("(document.querySelector(\"[data-widget='" + stat + "']\")?.dataset.value ?? '—') !== '—'");
        assertFiguresFit();
        shot(dashboard + "-phone");
    }

    /** Every stat's figure is whole in its card: not cut off, no ellipsis (a narrow card shrinks the type instead). */
    void assertFiguresFit() {
        @SuppressWarnings("unchecked")
        List<String> cut = (List<String>) page.evaluate("[...document.querySelectorAll('.stat-value')]"
                + ".filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.closest('[data-widget]').dataset.widget + ': ' + e.innerText)");
        assertThat(cut).as("stat figures cut off").isEmpty();
    }

    /**
     * Names where people read them (issue 10): every table and list that refers to a patient,
     * dentist, agent, campaign, lead or product shows its name (through a lookup), never its id.
     */
    void checkNames(String dashboard) {
        switch (dashboard) {
            case "calls" -> {
                waitFor("[data-widget='recent_calls'] tbody tr");
                List<String> agents = texts("[data-widget='agents'] tbody td.label");
                assertThat(agents).isNotEmpty().allSatisfy(a -> assertThat(a).matches("[A-Z][a-z]+ [A-Z][a-z]+"));
                for (String w : List.of("agents", "recent_calls", "active_calls_list")) {
                    assertThat(page.locator("[data-widget='" + w + "'] tbody").innerText()).as(w).doesNotContainPattern("agent-[a-z]+-[a-z]+");
                }
                // calls by team: grouped through the lookup call -> agent -> team
                await("(document.querySelector(\"[data-widget='calls_by_team']\")?.dataset.value ?? '') !== ''");
                assertThat(page.locator("[data-widget='calls_by_team']").getAttribute("data-value"))
                        .matches("((Sales|Support|Billing): [\\d,]+(, )?)+");
                // the agents table is whole: its last column is not scrolled out of view
                assertThat(page.evaluate("(() => { const w = document.querySelector(\"[data-widget='agents'] .table-wrap\");"
                        + " return w.scrollWidth <= w.clientWidth + 1; })()")).isEqualTo(true);
            }
            case "clinic" -> {
                waitFor("[data-widget='recent_bookings'] tbody tr");
                for (String w : List.of("todays_appointments", "upcoming_appointments", "recent_bookings", "dentists")) {
                    assertThat(page.locator("[data-widget='" + w + "']").innerText()).as(w)
                            .doesNotContainPattern("patient-\\d+").doesNotContainPattern("\\bdr-[a-z]+");
                }
                assertThat(texts("[data-widget='dentists'] tbody td.label")).isNotEmpty().allSatisfy(d -> assertThat(d).startsWith("Dr. "));
                assertThat(texts("[data-widget='recent_bookings'] thead th")).contains("PATIENT", "DENTIST");
                assertThat(texts("[data-widget='recent_bookings'] tbody td.label")).isNotEmpty()
                        .allSatisfy(n -> assertThat(n).matches("(Dr\\. )?\\p{Lu}[\\p{L}.]+( \\p{Lu}[\\p{L}]+)+"));
            }
            case "shop" -> {
                List<String> products = texts("[data-widget='top_products'] tbody td.label");
                assertThat(products).isNotEmpty().doesNotHaveDuplicates().noneSatisfy(p -> assertThat(p).startsWith("prod_"));
                assertThat(page.locator("[data-widget='activity'] tbody").innerText()).doesNotContainPattern("\\b(prod|tkt|ord|cust)_[0-9a-f]{3}");
            }
            case "bookings" -> {
                waitFor("[data-widget='recent_calls'] tbody tr");
                assertThat(texts("[data-widget='recent_calls'] thead th")).contains("LEAD");
                assertThat(texts("[data-widget='recent_calls'] tbody td.label")).isNotEmpty()
                        .noneSatisfy(n -> assertThat(n).startsWith("lead_"));
                // no lead's or call's machine id, even shortened (lead_3ce1…), where a person reads
                for (String w : List.of("recent_calls", "appointments", "leads")) {
                    assertThat(page.locator("[data-widget='" + w + "'] tbody").innerText()).as(w).doesNotContainPattern("\\b(lead|bcall|vapi)_[0-9a-f]{3}");
                }
            }
            case "campaigns" -> {
                assertThat(texts("[data-widget='campaign_performance'] tbody td.label")).isNotEmpty().doesNotHaveDuplicates()
                        .noneSatisfy(n -> assertThat(n).startsWith("cmp_"));
                assertThat(texts("[data-widget='recent_attempts'] thead th")).contains("CAMPAIGN");
            }
            default -> throw new IllegalArgumentException(dashboard);
        }
    }

    /** Units, periods, names and the header of a dashboard open in the page. */
    void checkFigures(String dashboard, String stat, String statFormat) {
        // every stat says its period (and its unit where the value does not show it)
        List<String> subs = texts("[data-kind='stat'] .stat-sub");
        assertThat(subs).isNotEmpty().allSatisfy(s -> assertThat(s).as("stat caption").matches(PERIOD));
        assertThat(page.locator("[data-widget='" + stat + "']").getAttribute("data-value")).matches(statFormat);
        // every breakdown, series and table says its period
        for (String meta : texts("[data-kind='breakdown'] .card-meta, [data-kind='series'] .card-meta, [data-kind='table'] .card-meta")) {
            if (!meta.isEmpty() && !meta.equals("no data")) {
                assertThat(meta).as("card meta").matches(PERIOD);
            }
        }
        // no developer text in the header: no position, no seed numbers
        String header = page.locator(".topbar").innerText();
        assertThat(header).doesNotContainIgnoringCase("seed").doesNotContain("pos ");
        String body = page.locator("main").innerText();
        switch (dashboard) {
            case "calls" -> {
                assertThat(page.locator("[data-widget='average_duration'] .stat-sub").innerText()).contains("m:ss");
                assertThat(texts("[data-widget='agents'] thead th")).contains("AVG DURATION (M:SS)", "SUCCESS RATE (%)");
            }
            case "bookings" -> {
                // appointments carry the lead's name
                assertThat(texts("[data-widget='appointments'] thead th")).contains("NAME");
                assertThat(page.locator("[data-widget='calls_per_day'] .card-meta").innerText()).contains("calls").contains("last 7 days");
            }
            case "clinic" -> {
                // a 30-minute appointment is "30 min", not 0:30; schedules show clock times, not "in 16 d"
                assertThat(texts("[data-widget='upcoming_appointments'] thead th")).contains("DURATION (MIN)");
                assertThat(texts("[data-widget='upcoming_appointments'] tbody td.num")).allSatisfy(c -> assertThat(c).matches("\\d+ min|\\d+ h( \\d+ min)?|—"));
                assertThat(texts("[data-widget='upcoming_appointments'] tbody td.time, [data-widget='recent_bookings'] tbody td.time"))
                        .noneSatisfy(c -> assertThat(c).matches("in \\d+ d"));
                assertThat(texts("[data-widget='dentists'] thead th").get(0)).isEqualTo("DENTIST");
            }
            case "shop" -> {
                // customers and products by name, money in one format
                assertThat(texts("[data-widget='recent_tickets'] thead th")).contains("CUSTOMER");
                assertThat(texts("[data-widget='recent_tickets'] tbody td.label")).isNotEmpty().noneSatisfy(c -> assertThat(c).startsWith("cust_"));
                assertThat(texts("[data-widget='top_products'] tbody td.label")).isNotEmpty().noneSatisfy(c -> assertThat(c).startsWith("prod_"));
                assertThat(texts("[data-widget='recent_orders'] tbody td.num")).anySatisfy(c -> assertThat(c).startsWith("$"));
                assertThat(page.locator("[data-widget='average_order']").getAttribute("data-value")).startsWith("$");
            }
            case "campaigns" -> {
                // every table and list names campaigns, never by their ids
                for (String w : List.of("campaign_performance", "queue_by_campaign", "campaign_activity", "campaign_dialing", "campaign_outcomes",
                        "recent_attempts")) {
                    assertThat(page.locator("[data-widget='" + w + "']").innerText()).as(w).doesNotContainPattern("cmp_[0-9a-f]{6}");
                }
                assertThat(texts("[data-widget='campaign_performance'] thead th")).contains("ANSWER RATE (%)");
            }
            default -> throw new IllegalArgumentException(dashboard);
        }
        assertThat(body).doesNotContainPattern("\\bNaN\\b|undefined");
    }

    @Test
    void overview_listsEveryTenantAndDashboard_withLiveHeadlines() {
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(ColorScheme.DARK));
        page.navigate(base + "/");
        Locator shop = waitFor("[data-overview-tenant='fixit-downtown'] a[data-dashboard='shop'] .ov-value[data-value]");
        assertThat(shop.getAttribute("data-value")).matches("\\$[\\d,]+(\\.\\d\\d)?");
        for (String[] t : List.of(new String[] {"demo-call-center", "calls"}, new String[] {"acme-roofing", "bookings"},
                new String[] {"bright-smile-dental", "clinic"}, new String[] {"acme-outbound", "campaigns"})) {
            Locator v = waitFor("[data-overview-tenant='" + t[0] + "'] a[data-dashboard='" + t[1] + "'] .ov-value[data-value]");
            assertThat(v.getAttribute("data-value")).matches("[\\d,]+");
        }
        // the tenants of one pack are not listed under another's dashboards
        assertThat(page.locator("[data-overview-tenant='fixit-downtown'] a[data-dashboard='calls']").count()).isZero();
        assertThat(page.locator("[data-overview-tenant='demo-call-center'] .ov-sub").allInnerTexts()).anySatisfy(s -> assertThat(s).contains("last 24 h"));
        // a dashboard of lists only (no headline figure) says what it holds instead of an empty line
        assertThat(page.locator("[data-overview-tenant='demo-call-center'] a[data-dashboard='call_history'] .ov-title .ov-sub").innerText())
                .contains("The last 100 calls");
        shot("overview");
        page.locator("[data-overview-tenant='acme-outbound'] a[data-dashboard='campaigns']").click();
        page.waitForURL(u -> u.endsWith("/?dashboard=campaigns&tenant=acme-outbound"));
        awaitState("live");
        waitFor("[data-widget='campaign_performance'] tbody tr");
    }

    @Test
    void unknownTenant_saysSo_untilItsFirstRowArrives() throws Exception {
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900));
        String tenant = "nobody-" + Long.toHexString(System.nanoTime());
        open("dashboard=calls&tenant=" + tenant);
        Locator notice = waitFor("#tenant-notice");
        assertThat(notice.innerText()).contains("No data for tenant “" + tenant + "”");
        assertThat(page.locator("#connection .conn-label").innerText()).isEqualTo("No data for this tenant");
        assertThat(page.evaluate("document.body.dataset.tenantKnown")).isEqualTo("false");
        shot("unknown-tenant");

        // its first row: the page is a live dashboard again
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/ingest/" + tenant + "/call_logs"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(call(tenant + "-1", "+15550600")))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        page.locator("#tenant-notice").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(WAIT_MS));
        assertThat(page.locator("#connection .conn-label").innerText()).isEqualTo("Live");
        waitFor("[data-widget='active_calls'][data-value='1']");
    }

    @Test
    void rowFilter_showsMatchingRows_andTheCsvHasThoseRows() throws Exception {
        // a shop the simulator does not write to, so the rows stay as posted while the test reads them
        String tenant = "filter-" + Long.toHexString(System.nanoTime());
        String now = Instant.now().toString();
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/ingest/" + tenant + "/products"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "[{\"id\":\"" + tenant + "-p1\",\"name\":\"Phone case\",\"price\":19.5,\"created_at\":\"" + now + "\"},"
                        + "{\"id\":\"" + tenant + "-p2\",\"name\":\"Phone charger\",\"price\":24,\"created_at\":\"" + now + "\"},"
                        + "{\"id\":\"" + tenant + "-p3\",\"name\":\"Laptop stand\",\"price\":39,\"created_at\":\"" + now + "\"}]"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        reopen(new Browser.NewContextOptions().setViewportSize(1280, 900).setAcceptDownloads(true));
        open("dashboard=shop&tenant=" + tenant);
        waitFor("[data-widget='recent_products'][data-count='3']");

        page.locator("[data-filter='recent_products']").fill("PHONE");
        waitFor("[data-widget='recent_products'][data-shown='2']");
        assertThat(page.locator("[data-widget='recent_products'] tbody tr").allInnerTexts())
                .hasSize(2).allSatisfy(t -> assertThat(t).contains("Phone"));
        assertThat(page.locator("[data-widget='recent_products'] .card-meta").innerText()).startsWith("2 of 3 rows");
        Locator link = page.locator("[data-widget='recent_products'] a.csv");
        // the export of the same view: the shop's default range, then the filter
        assertThat(link.getAttribute("href")).contains("?range=30d").endsWith("&q=PHONE");
        Download csv = page.waitForDownload(link::click);
        List<String> lines = Files.readAllLines(csv.path());
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(1, 3)).allSatisfy(l -> assertThat(l).contains("Phone"));

        // every word must occur: "phone case" is one row; a word no row has leaves none
        page.locator("[data-filter='recent_products']").fill("phone case");
        waitFor("[data-widget='recent_products'][data-shown='1']");
        assertThat(Files.readAllLines(page.waitForDownload(link::click).path())).hasSize(2);
        page.locator("[data-filter='recent_products']").fill("zz-no-such-row");
        waitFor("[data-widget='recent_products'][data-shown='0']");
        assertThat(page.locator("[data-widget='recent_products'] .card-body").innerText()).contains("No row matches “zz-no-such-row”");
        shot("filter");
    }
}
