package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The range control in Chromium on each of the five pack dashboards with periods, against the
 * demo (simulated history and traffic): a stat shows its change against the previous period, a
 * new range is watched on the same WebSocket (no reload), the chart over the range changes and the
 * period labels follow. Screenshots: target/screenshots/range-*.png.
 */
@Tag("browser")
class RangeUiTest extends ChromiumPage {
    static final Path SHOTS = Paths.get("target", "screenshots");

    @TempDir
    static Path root;
    static TestServer server;
    static JsonNode demo;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createDirectories(root.resolve("data"));
        // demo traffic: 24 h of simulated history, then 20 writes a second across the packs' tenants
        server = new TestServer(data, TestServer.config(data, true, Optional.empty()).with(Config.SIMULATE_RATE, 20.0),
                dev.switchboard.limits.Limits.DEFAULTS);
        demo = TestServer.json(server.get("/api/demo"));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void calls_last24h_to7days() {
        changeRange("calls", "calls_per_hour", "7d", "last 7 days");
    }

    @Test
    void bookings_7days_to30days() {
        changeRange("bookings", "calls_per_day", "30d", "last 30 days");
    }

    @Test
    void campaigns_1hour_to15minutes() {
        changeRange("campaigns", "attempts_per_minute", "15m", "last 15 min");
    }

    @Test
    void shop_30days_to7days() {
        changeRange("shop", "revenue_overview", "7d", "last 7 days");
    }

    /** The clinic has no series: its breakdowns over a custom range in the past are empty. */
    @Test
    void clinic_thisWeek_toACustomRangeInThePast() throws Exception {
        String tenant = open("clinic");
        awaitComparison();
        waitFor("[data-widget='status_counts']:not([data-value=''])");
        assertThat(page.locator("[data-widget='status_counts']").getAttribute("data-period")).isEqualTo("this week");
        assertThat(page.locator("[data-widget='status_counts'] .card-meta").innerText()).endsWith("this week");
        shot("clinic-before");

        page.selectOption("#range-picker", "custom");
        page.fill("#range-from", "2020-01-06T00:00");
        page.fill("#range-to", "2020-01-13T00:00");
        page.click("#range-apply");
        await("window.__switchboard.rangeShown === '2020-01-06T00:00:00Z..2020-01-13T00:00:00Z'");
        waitFor("[data-widget='status_counts'][data-value='']");
        assertThat(page.url()).contains("range=2020-01-06T00%3A00%3A00Z..2020-01-13T00%3A00%3A00Z");
        assertThat(page.locator("[data-widget='status_counts'] .card-meta").innerText()).contains("–");
        assertThat(page.locator("[data-widget='cancellation_rate'] .stat-compare").innerText()).contains("vs the 7 days before");
        assertThat((String) page.evaluate("window.__switchboard.transport")).isEqualTo("websocket");
        shot("clinic-custom");
        // the server agrees: the same custom range over REST has nothing in it either
        var r = server.get("/api/dashboards/clinic/" + tenant + "?from=2020-01-06T00:00:00Z&to=2020-01-13T00:00:00Z");
        assertThat(TestServer.json(r).path("widgets").path("status_counts").size()).isZero();
    }

    /** Opens the dashboard, checks a comparison, picks {@code preset} and checks the chart and labels follow. */
    void changeRange(String dashboard, String chart, String preset, String label) {
        open(dashboard);
        awaitComparison();
        waitFor("[data-widget='" + chart + "'][data-points]");
        String before = page.locator("[data-widget='" + chart + "']").getAttribute("data-points");
        shot(dashboard + "-before");
        page.evaluate("window.__sockets = 0; (() => { const W = window.WebSocket; window.WebSocket = class extends W {"
                + " constructor(...a) { super(...a); window.__sockets++; } }; })()");

        page.selectOption("#range-picker", preset);
        await("window.__switchboard.rangeShown === '" + preset + "'");
        await("document.querySelector(\"[data-widget='" + chart + "']\").dataset.points !== undefined"
                + " && document.querySelector(\"[data-widget='" + chart + "']\").dataset.points !== '" + before + "'");
        assertThat(page.url()).contains("range=" + preset);
        assertThat(page.locator("[data-widget='" + chart + "']").getAttribute("data-period")).isEqualTo(label);
        assertThat(page.locator("[data-widget='" + chart + "'] .card-meta").innerText()).endsWith(label);
        awaitComparison();
        assertThat((int) page.evaluate("window.__sockets")).as("the range changes on the same connection").isZero();
        assertThat((String) page.evaluate("window.__switchboard.transport")).isEqualTo("websocket");
        shot(dashboard + "-" + preset);
    }

    String open(String dashboard) {
        String tenant = demo.path("tenants").path(dashboard).get(0).asString();
        page.context().close();
        page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 1000).setBypassCSP(true)).newPage();
        page.onPageError(pageErrors::add);
        page.navigate(server.base() + "/?dashboard=" + dashboard + "&tenant=" + tenant);
        awaitState("live");
        return tenant;
    }

    /** Some stat shows its change against the previous period, with the previous value. */
    void awaitComparison() {
        Locator c = waitFor(".stat-compare[data-previous]:not([data-previous=''])");
        assertThat(c.innerText()).containsPattern("(▲|▼|=) .*(previous|yesterday|last week|last month|before)");
    }

    Locator waitFor(String selector) {
        Locator l = page.locator(selector).first();
        l.waitFor(new Locator.WaitForOptions().setTimeout(WAIT_MS).setState(WaitForSelectorState.ATTACHED));
        return l;
    }

    void shot(String name) {
        page.waitForTimeout(300); // let charts draw for the picture a person looks at
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("range-" + name + ".png")).setFullPage(true).setTimeout(120_000));
    }
}
