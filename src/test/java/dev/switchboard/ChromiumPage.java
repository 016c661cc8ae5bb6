package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Chromium (headless) for the browser tests of the client: one browser per class, a fresh
 * page (and context) per test with the CSP bypassed, since the probes evaluate strings, which the
 * UI's CSP forbids (BrowserTest runs the page under it). A page error fails the test.
 */
abstract class ChromiumPage {
    static final double WAIT_MS = 30_000;
    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dir;
    Page page;
    final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void launch() {
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")));
    }

    @AfterAll
    static void quit() {
        browser.close();
        playwright.close();
    }

    @BeforeEach
    void open() {
        page = browser.newPage(new Browser.NewPageOptions().setBypassCSP(true));
        page.onPageError(pageErrors::add);
    }

    @AfterEach
    void close() {
        page.context().close();
        assertThat(pageErrors).isEmpty();
    }

    static String call(String id, String phone) {
        return "{\"id\":\"" + id + "\",\"status\":\"active\",\"agent_config_id\":\"agent-1\",\"phone_number\":\"" + phone
                + "\",\"started_at\":\"" + Instant.now().minusSeconds(30) + "\"}";
    }

    void awaitConnection(String state, String transport) {
        await("document.body.dataset.connection === '" + state + "' && document.body.dataset.transport === '" + transport + "'");
    }

    /** Waits for any of the given states (quoted list). */
    void awaitState(String states) {
        await("['" + states + "'].includes(document.body.dataset.connection)");
    }

    void awaitChanges(int n) {
        await("window.__switchboard.changes.length >= " + n);
    }

    void await(String expression) {
        page.waitForFunction(expression, null, new Page.WaitForFunctionOptions().setTimeout(WAIT_MS));
    }

    @SuppressWarnings("unchecked")
    List<String> changeKeys() {
        List<Map<String, Object>> changes = (List<Map<String, Object>>) page.evaluate("window.__switchboard.changes");
        return changes.stream().map(c -> String.valueOf(c.get("key"))).toList();
    }

    static String sqlite3(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", db.toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
