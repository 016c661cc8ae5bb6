package dev.switchboard.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.switchboard.Config;
import dev.switchboard.Switchboard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Rendering cost of the dashboard page (issue 10): the calls dashboard in headless Chromium while
 * calls are posted at 10 and at 100 events per second. In the page, a PerformanceObserver counts
 * long tasks (main-thread tasks over 50 ms) and a requestAnimationFrame loop records frame
 * intervals; a frame interval over 33 ms is a dropped frame.
 *
 * <pre>
 *   ./switchboard bench browser [--seconds 20] [--rates 10,100]
 * </pre>
 */
public final class BrowserBench {
    private BrowserBench() {}

    static final String PROBE = """
            (() => {
              window.__bench = { longtasks: [], frames: [], last: 0 };
              new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longtasks.push(e.duration); })
                .observe({ type: 'longtask', buffered: false });
              const loop = (t) => { const b = window.__bench; if (b.last) b.frames.push(t - b.last); b.last = t; requestAnimationFrame(loop); };
              requestAnimationFrame(loop);
            })()""";

    public static void main(String[] args) throws Exception {
        int seconds = 20;
        List<Integer> rates = List.of(10, 100);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rates" -> rates = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--seconds N, --rates 10,100)");
            }
        }
        Path dir = Files.createTempDirectory("switchboard-browser-bench");
        Config config = new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 0, Optional.empty(), Optional.empty(), false, "bench");
        System.out.printf("Switchboard browser bench: calls dashboard in headless Chromium, %d s per rate; JDK %s, %d CPUs, load average %.2f%n",
                seconds, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        List<String[]> table = new ArrayList<>();
        try (Switchboard sb = Switchboard.start(config, Clock.systemUTC());
             Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")))) {
            String base = "http://127.0.0.1:" + sb.port();
            HttpClient http = HttpClient.newHttpClient();
            for (int rate : rates) {
                String tenant = "bench-" + rate;
                // a tenant with a day of calls, so every widget has rows to draw
                post(http, base, tenant, seedRows(tenant, 300));
                Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1400, 1000).setBypassCSP(true));
                page.navigate(base + "/?dashboard=calls&tenant=" + tenant);
                page.waitForFunction("document.body.dataset.connection === 'live'", null, new Page.WaitForFunctionOptions().setTimeout(30_000));
                page.waitForTimeout(1000);
                page.evaluate(PROBE);
                // Chromium's own counters: layouts and style recalculations are counts, which a
                // loaded machine does not inflate (durations it does)
                com.microsoft.playwright.CDPSession cdp = page.context().newCDPSession(page);
                cdp.send("Performance.enable");
                Map<String, Double> m0 = metrics(cdp);
                int before = ((Number) page.evaluate("window.__switchboard.events")).intValue();
                int sent = drive(http, base, tenant, rate, seconds);
                page.waitForTimeout(1000);
                Map<String, Double> m1 = metrics(cdp);
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) page.evaluate("""
                        (() => { const b = window.__bench; const f = [...b.frames].sort((x, y) => x - y);
                          const q = (p) => f.length ? f[Math.min(f.length - 1, Math.floor(p * f.length))] : 0;
                          return { events: window.__switchboard.events, frames: f.length, p50: q(0.5), p95: q(0.95), p99: q(0.99),
                            max: f.length ? f[f.length - 1] : 0, dropped: f.filter((x) => x > 33.4).length,
                            longtasks: b.longtasks.length, longMs: b.longtasks.reduce((s, x) => s + x, 0),
                            longMax: b.longtasks.reduce((m, x) => Math.max(m, x), 0),
                            redraws: window.__switchboard.frames ? window.__switchboard.frames.frames : -1 }; })()""");
                int events = ((Number) r.get("events")).intValue() - before;
                double frames = num(r, "frames");
                double layouts = m1.get("LayoutCount") - m0.get("LayoutCount");
                double styles = m1.get("RecalcStyleCount") - m0.get("RecalcStyleCount");
                double script = (m1.get("ScriptDuration") - m0.get("ScriptDuration")) * 1000;
                double task = (m1.get("TaskDuration") - m0.get("TaskDuration")) * 1000;
                table.add(new String[] {
                    rate + "/s", Integer.toString(sent), Integer.toString(events), fmt(frames / seconds, 1),
                    fmt(num(r, "p50"), 1), fmt(num(r, "p95"), 1), fmt(num(r, "p99"), 1), fmt(num(r, "max"), 0),
                    fmt(100 * num(r, "dropped") / Math.max(1, frames), 1) + "%",
                    fmt(num(r, "longtasks"), 0), fmt(num(r, "longMs"), 0), fmt(num(r, "longMax"), 0),
                    fmt(layouts, 0), fmt(layouts / Math.max(1, events), 2), fmt(styles, 0), fmt(script / seconds, 0), fmt(task / seconds, 0)});
                page.close();
            }
        }
        System.out.println();
        String[] head = {"rate", "rows posted", "events in page", "frames/s", "frame p50 ms", "p95", "p99", "max", "frames > 33 ms",
            "long tasks", "long total ms", "longest ms", "layouts", "layouts/event", "style recalcs", "script ms/s", "main-thread task ms/s"};
        Bench.print(head, table);
    }

    /** Posts at {@code rate} events per second for {@code seconds}: new calls, and calls ending. */
    static int drive(HttpClient http, String base, String tenant, int rate, int seconds) throws Exception {
        long start = System.nanoTime();
        int n = 0;
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long due = start + n * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String id = tenant + "-live-" + (n / 2);
            String row = n % 2 == 0
                    ? "{\"id\":\"" + id + "\",\"status\":\"active\",\"agent_config_id\":\"agent-" + (n % 7) + "\",\"phone_number\":\"+1555" + (1000000 + n)
                            + "\",\"direction\":\"inbound\",\"started_at\":\"" + Instant.now() + "\"}"
                    : "{\"id\":\"" + id + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":" + (30 + n % 200) + "}";
            post(http, base, tenant, row);
            n++;
        }
        return n;
    }

    static String seedRows(String tenant, int count) {
        StringBuilder b = new StringBuilder("[");
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(tenant).append("-h").append(i).append("\",\"status\":\"ended\",\"outcome\":\"")
                    .append(i % 3 == 0 ? "no_answer" : "completed").append("\",\"duration\":").append(20 + i % 300)
                    .append(",\"agent_config_id\":\"agent-").append(i % 7).append("\",\"started_at\":\"").append(now.minusSeconds(280L * i)).append("\"}");
        }
        return b.append("]").toString();
    }

    static void post(HttpClient http, String base, String tenant, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/ingest/" + tenant + "/call_logs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
        }
    }

    static Map<String, Double> metrics(com.microsoft.playwright.CDPSession cdp) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (var e : cdp.send("Performance.getMetrics").getAsJsonArray("metrics")) {
            var o = e.getAsJsonObject();
            out.put(o.get("name").getAsString(), o.get("value").getAsDouble());
        }
        return out;
    }

    static double num(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).doubleValue();
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
