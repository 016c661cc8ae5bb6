package dev.switchboard.http;

import dev.switchboard.auth.Access;
import dev.switchboard.auth.Principal;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.keys.ApiKeys;
import dev.switchboard.limits.Admission;
import dev.switchboard.turns.Turns;
import dev.switchboard.limits.Limits;
import dev.switchboard.limits.Rejection;
import dev.switchboard.live.DashboardDef;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import dev.switchboard.hub.RowScope;
import dev.switchboard.push.SseSession;
import dev.switchboard.push.Streams;
import dev.switchboard.push.Subscription;
import dev.switchboard.store.IngestException;
import dev.switchboard.store.IngestResult;
import dev.switchboard.store.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every route of the server. Handlers validate first and write nothing on a bad request; every
 * error is JSON: {@code {"error": "...", "status": 400, "details": [...]}}.
 */
final class Api extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    /** Rejects duplicate fields: {@code {"id":"a","id":"b"}} is ambiguous, not "the last one wins". */
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final String BODY_READ = "switchboard.bodyRead";
    static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    /**
     * The web dashboard's policy: its own scripts only, no framing. Inline style attributes are
     * allowed because the charts set widths and colours through them.
     */
    static final HttpField CSP = new PreEncodedHttpField("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'");
    /** Largest accepted request body. The default is 1 MiB. */
    static final int MAX_BODY = 1 << 20;
    /** Most rows in one ingest request. */
    static final int MAX_ROWS = 5000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

    private final Store store;
    private final DatasetCatalog catalog;
    private final LiveEngine engine;
    private final Streams streams;
    private final Access access;
    private final Sessions sessions;
    private final Supplier<Map<String, Object>> health;
    private final Supplier<Map<String, Object>> demo;
    private final Supplier<String> metrics;
    private final StaticFiles files = new StaticFiles();
    private org.eclipse.jetty.websocket.server.ServerWebSocketContainer websockets;
    /** The OpenAPI 3 description of these routes ({@code api/openapi.json}); {@code OpenApiTest} checks it against them. */
    private static final byte[] OPENAPI = resource("/api/openapi.json");
    private final Limits limits;
    private final ScopedWrites scopedWrites;
    private final Admission admission;
    private final ApiKeys keys;
    private final Router router;
    /** Turns at the node's cores for CPU-heavy request work ({@link #inTurn}). */
    private final Turns work;
    private final java.util.concurrent.atomic.LongAdder busyRefusals = new java.util.concurrent.atomic.LongAdder();

    Api(Store store, DatasetCatalog catalog, LiveEngine engine, Streams streams, Access access, Sessions sessions,
        Supplier<Map<String, Object>> health, Supplier<Map<String, Object>> demo, Supplier<String> metrics, Limits limits,
        Admission admission, ApiKeys keys, Map<String, String> secrets, Turns work) {
        this.router = new Router(secrets);
        this.work = work;
        this.keys = keys;
        this.limits = limits;
        this.admission = admission;
        this.scopedWrites = new ScopedWrites(List.copyOf(engine.definitions().all()), store);
        this.store = store;
        this.catalog = catalog;
        this.engine = engine;
        this.streams = streams;
        this.access = access;
        this.sessions = sessions;
        this.health = health;
        this.demo = demo;
        this.metrics = metrics;
        registerNative();
    }

    @Override
    protected void doStart() throws Exception {
        websockets = org.eclipse.jetty.websocket.server.ServerWebSocketContainer.ensure(getServer());
        websockets.setIdleTimeout(java.time.Duration.ofSeconds(60));
        if (router.hasSockets()) {
            streams.broadcastEvery(NodeLoads.TOPIC, "node_load", () -> NodeLoads.sample(engine.clock(), healthy()), NodeLoads.EVERY);
        }
        super.doStart();
    }

    /** A native route's handler: the request, its path parameters, and the callback to complete. */
    @FunctionalInterface
    private interface Native {
        void handle(Request request, Response response, Callback callback, Map<String, String> params);
    }

    /** The native API's routes; packs add theirs through {@link #routes()} before the server starts. */
    private void registerNative() {
        router.add("GET", "/metrics", "Prometheus metrics (admin token in serve mode)", (Native) (rq, rs, cb, p) -> {
            requireAdmin(rq, rs);
            rs.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            rs.write(true, ByteBuffer.wrap(metrics.get().getBytes(StandardCharsets.UTF_8)), cb);
        });
        router.add("GET", "/api/health", "Health: 200 ok, 503 degraded", (Native) (rq, rs, cb, p) -> {
            // 503 while degraded, so a load balancer or readiness probe can route around this node
            Map<String, Object> h = health.get();
            json(rs, cb, "ok".equals(h.get("status")) ? 200 : 503, h);
        });
        router.add("GET", "/api/demo", "Demo tenants and links (demo mode only)", (Native) (rq, rs, cb, p) -> {
            if (!access.isOpen()) {
                throw new ApiException(404, "/api/demo exists only in demo mode");
            }
            json(rs, cb, 200, demo.get());
        });
        router.add("GET", "/api/openapi.json", "This API's OpenAPI 3 description", (Native) (rq, rs, cb, p) -> {
            rs.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            rs.write(true, ByteBuffer.wrap(OPENAPI), cb);
        });
        router.add("GET", "/api/dashboards", "The dashboards", (Native) (rq, rs, cb, p) -> dashboardList(rs, cb));
        router.add("GET", "/api/overview", "The tenants and dashboards the caller may see", (Native) (rq, rs, cb, p) -> overview(rq, rs, cb));
        router.add("GET", "/api/dashboards/{dashboard}/{tenant}", "A dashboard's snapshot", (Native) (rq, rs, cb, p) ->
                dashboard(rq, rs, cb, name(p, "dashboard"), name(p, "tenant")));
        router.add("GET", "/api/export/{dashboard}/{tenant}/{widget}", "A table or list widget as CSV", (Native) (rq, rs, cb, p) ->
                export(rq, rs, cb, name(p, "dashboard"), name(p, "tenant"), name(p, "widget")));
        router.add("GET", "/api/alerts/{tenant}", "Alerts firing now and recently", (Native) (rq, rs, cb, p) -> {
            String tenant = name(p, "tenant");
            Principal who = principal(rq, rs, tenant);
            Map<String, List<Map<String, Object>>> all = engine.alerts(tenant);
            // a scoped viewer sees the alerts of its own slice only
            java.util.function.Predicate<Map<String, Object>> visible = a -> !who.scoped()
                    || who.scope().equals(a.get("scope")) && who.subject().equals(a.get("subject"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tenant", tenant);
            body.put("firing", all.get("firing").stream().filter(visible).toList());
            body.put("recent", all.get("recent").stream().filter(visible).toList());
            json(rs, cb, 200, body);
        });
        router.add("GET", "/api/poll/{tenant}", "Long-polling", (Native) (rq, rs, cb, p) -> poll(rq, rs, cb, name(p, "tenant")));
        router.add("GET", "/api/events/{tenant}", "SSE, or WebSocket with Upgrade", (Native) (rq, rs, cb, p) -> {
            String tenant = name(p, "tenant");
            if (rq.getMethod().equals("HEAD")) {
                // Answers whether a stream would open, without opening one.
                principal(rq, rs, tenant);
                rs.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                rs.setStatus(200);
                cb.succeeded();
                return;
            }
            stream(rq, rs, cb, tenant, () -> principal(rq, rs, tenant), (who, done) -> events(rq, rs, done, tenant, who));
        });
        router.add("POST", "/api/ingest/{tenant}/{dataset}", "Upsert rows", (Native) (rq, rs, cb, p) ->
                ingest(rq, rs, cb, name(p, "tenant"), name(p, "dataset"), Optional.empty()));
        router.add("DELETE", "/api/ingest/{tenant}/{dataset}/{key}", "Delete a row", (Native) (rq, rs, cb, p) ->
                ingest(rq, rs, cb, name(p, "tenant"), name(p, "dataset"), Optional.of(key(p.get("key")))));
        router.add("GET", "/api/keys/{tenant}", "List API keys", (Native) (rq, rs, cb, p) -> keys(rq, rs, cb, name(p, "tenant"), Optional.empty()));
        router.add("POST", "/api/keys/{tenant}", "Issue an API key", (Native) (rq, rs, cb, p) -> keys(rq, rs, cb, name(p, "tenant"), Optional.empty()));
        router.add("DELETE", "/api/keys/{tenant}/{id}", "Revoke an API key", (Native) (rq, rs, cb, p) ->
                keys(rq, rs, cb, name(p, "tenant"), Optional.of(name(p, "id"))));
    }

    /** Where packs register their compatibility routes. */
    Routes routes() {
        return router;
    }

    Router router() {
        return router;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        response.getHeaders().put(NOSNIFF);
        respond(method, path, response, callback, () -> {
            try {
                route(request, response, callback, path, method);
            } catch (RuntimeException e) {
                if (request.getAttribute(BODY_READ) == null) {
                    closeIfBodyUnread(request, response);
                }
                throw e;
            }
        });
        return true;
    }

    /**
     * Refusing a request before reading its body leaves the body on the connection, where it
     * would be taken for the next request; so the answer closes the connection instead.
     */
    static void closeIfBodyUnread(Request request, Response response) {
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /** Runs one step of handling a request, turning what it throws into a JSON error response. */
    private void respond(String method, String path, Response response, Callback callback, Runnable work) {
        try {
            work.run();
        } catch (Rejected e) {
            json(response, callback, e.status, e.body);
        } catch (ApiException e) {
            e.headers.forEach((k, v) -> response.getHeaders().put(k, v));
            error(response, callback, e.status, e.getMessage(), e.details);
        } catch (IllegalArgumentException e) {
            error(response, callback, 400, e.getMessage(), List.of());
        } catch (LiveEngine.TooManyViews e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "30");
            error(response, callback, 429, e.getMessage(), List.of());
        } catch (LiveEngine.Busy e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            error(response, callback, 503, e.getMessage(), List.of());
        } catch (RuntimeException e) {
            // The cause may hold SQL or internals: it goes to the log, the client gets a reference to it.
            String ref = java.util.UUID.randomUUID().toString().substring(0, 8);
            LOG.error("{} {} failed (ref {})", method, path, ref, e);
            error(response, callback, 500, "internal error (ref " + ref + " in the server log)", List.of());
        }
    }

    /** Whether the node captures and serves changes (as {@code GET /api/health} says). */
    private boolean healthy() {
        return "ok".equals(health.get().get("status"));
    }

    /** A refusal whose body is the route's own shape ({@link Routes.Call#reject}). */
    static final class Rejected extends RuntimeException {
        final int status;
        final Map<String, Object> body;

        Rejected(int status, Map<String, Object> body) {
            super(String.valueOf(body.get("error")), null, false, false);
            this.status = status;
            this.body = Map.copyOf(body);
        }
    }

    private void route(Request request, Response response, Callback callback, String path, String method) {
        Optional<Router.Match> match = router.match(method, path);
        if (match.isEmpty()) {
            if (path.startsWith("/api/") || path.equals("/api")) {
                throw new ApiException(404, "no such endpoint: " + path + " (GET /api/openapi.json lists the routes)");
            }
            serveFile(path, method, response, callback);
            return;
        }
        Object handler = match.get().entry().handler();
        Map<String, String> params = match.get().params();
        if (handler instanceof Native n) {
            n.handle(request, response, callback, params);
        } else if (handler instanceof ProtocolSocket socket) {
            protocolSocket(request, response, callback, params, socket);
        } else {
            if (handler instanceof Router.StreamRoute s) {
                CallImpl call = new CallImpl(request, response, callback, params);
                try {
                    s.route().handle(call);
                } catch (RuntimeException e) {
                    if (!call.streaming) {
                        sessions.failed(call.tried); // once the stream is handed over, Api.stream counts its refusals
                    }
                    throw e;
                }
                return;
            }
            ((Routes.Route) handler).handle(new CallImpl(request, response, callback, params));
        }
    }

    private void serveFile(String path, String method, Response response, Callback callback) {
        var file = files.find(path);
        if (file.isEmpty() || !(method.equals("GET") || method.equals("HEAD"))) {
            error(response, callback, 404, "not found: " + path, List.of());
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.get().type());
        response.getHeaders().put(CSP);
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, path.startsWith("/webjars/") ? "max-age=86400" : "no-cache");
        response.write(true, ByteBuffer.wrap(file.get().bytes()), callback);
    }

    private void dashboardList(Response response, Callback callback) {
        {
            List<Map<String, Object>> out = new ArrayList<>();
            for (DashboardDef d : engine.definitions().all()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("title", d.title());
                m.put("description", d.description());
                Map<String, Object> params = new LinkedHashMap<>();
                d.params().forEach((k, p) -> params.put(k, Map.of("default", p.defaultValue(), "min", p.min(), "max", p.max())));
                m.put("params", params);
                if (d.range().declared()) {
                    m.put("range", Map.of("default", d.range().defaultValue(), "presets", d.range().presets(),
                            "longest_hours", d.range().longest().toHours()));
                }
                // each stat compared with its previous period (value in widgets["<stat>.previous"]), to its window
                m.put("compare", d.compared());
                m.put("windows", d.windows());
                m.put("datasets", d.datasets());
                m.put("scopes", d.scopeNames());
                m.put("widgets", d.widgetKinds());
                if (!d.display().headline().isEmpty()) {
                    m.put("headline", d.display().headline());
                }
                if (!d.display().currency().isEmpty()) {
                    m.put("currency", d.display().currency());
                }
                m.put("display", d.display().widgets());
                out.add(m);
            }
            json(response, callback, 200, Map.of("dashboards", out));
        }
    }

    private void dashboard(Request request, Response response, Callback callback, String name, String tenant) {
        Principal who = principal(request, response, tenant);
        ViewKey key = viewKey(name, tenant, who, Request.extractQueryParameters(request));
        LiveEngine.State state = engine.state(key, owner(tenant, who, Request.getRemoteAddr(request)));
        String etag = "\"" + state.position() + "\"";
        String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        response.getHeaders().put(HttpHeader.ETAG, etag);
        if (access.isOpen()) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        }
        if (etag.equals(inm)) {
            response.setStatus(304);
            callback.succeeded();
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dashboard", name);
        body.put("tenant", tenant);
        if (!key.scope().isEmpty()) {
            body.put("scope", key.scope());
            body.put("subject", key.subject());
        }
        body.put("params", key.params());
        body.put("zone", engine.zoneOf(tenant, engine.definitions().find(name).orElseThrow()).getId());
        body.put("position", state.position().toString());
        body.put("known", hasRows(tenant, engine.definitions().find(name).orElseThrow().datasets()));
        body.put("widgets", state.widgets());
        json(response, callback, 200, body);
    }

    /**
     * Whether the tenant has any row in these datasets: a tenant nobody ever wrote for is not
     * told apart from one with no traffic by its zeros, so the page says which it is. One indexed
     * probe per dataset (every dataset's key starts with its tenant column).
     */
    private boolean hasRows(String tenant, List<String> datasets) {
        try {
            return anyRows(tenant, datasets);
        } catch (RuntimeException e) {
            // the database is away: the snapshot is served from the views' last state all the same,
            // and a tenant cannot be told unknown without asking it (health reports the outage)
            return true;
        }
    }

    private boolean anyRows(String tenant, List<String> datasets) {
        return store.read(s -> {
            for (String name : datasets) {
                Optional<Dataset> ds = catalog.find(name);
                if (ds.isEmpty()) {
                    continue;
                }
                boolean[] found = {false};
                s.query("SELECT 1 AS one FROM " + ds.get().name() + " WHERE " + ds.get().tenant() + " = ? LIMIT 1", List.of(tenant), r -> found[0] = true);
                if (found[0]) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * The overview: each tenant the caller may see, with the dashboards it may open there and
     * their headline widgets. Open access (demo) lists the simulated tenants; a token lists the
     * tenants it names (an operator token names none: it may open any tenant by name). A scoped
     * token sees only the dashboards that define its scope.
     */
    private void overview(Request request, Response response, Callback callback) {
        List<String> tenants;
        Principal who;
        if (access.isOpen()) {
            who = Principal.OPEN;
            java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
            if (demo.get().get("tenants") instanceof Map<?, ?> byDashboard) {
                byDashboard.values().forEach(v -> ((List<?>) v).forEach(t -> all.add(String.valueOf(t))));
            }
            tenants = List.copyOf(all);
        } else {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, no-store");
            who = authenticate(request);
            tenants = who.admin() ? List.of() : who.tenants().stream().sorted().toList();
        }
        Map<?, ?> demoTenants = access.isOpen() && demo.get().get("tenants") instanceof Map<?, ?> m ? m : Map.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String tenant : tenants) {
            List<Map<String, Object>> dashboards = new ArrayList<>();
            for (DashboardDef d : engine.definitions().all()) {
                if (who.scoped() && !d.scopes().containsKey(who.scope())) {
                    continue;
                }
                // in the demo, each dashboard with the tenants simulated for it
                if (access.isOpen() && !(demoTenants.get(d.name()) instanceof List<?> l && l.contains(tenant))) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("title", d.title());
                if (!d.display().headline().isEmpty()) {
                    m.put("headline", d.display().headline());
                    m.put("display", d.display().widgets().get(d.display().headline()));
                }
                dashboards.add(m);
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("tenant", tenant);
            t.put("dashboards", dashboards);
            out.add(t);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenants", out);
        if (who.scoped()) {
            body.put("scope", who.scope());
            body.put("subject", who.subject());
        }
        body.put("all_tenants", who.admin() && !access.isOpen());
        json(response, callback, 200, body);
    }

    /**
     * A table or list widget of the caller's view (the same scope and parameters as the snapshot)
     * as CSV: one line per row, columns in the order they first appear, nested values as JSON.
     */
    private void export(Request request, Response response, Callback callback, String name, String tenant, String widget) {
        Principal who = principal(request, response, tenant);
        ViewKey key = viewKey(name, tenant, who, Request.extractQueryParameters(request));
        LiveEngine.State state = engine.state(key, owner(tenant, who, Request.getRemoteAddr(request)));
        if (!state.widgets().containsKey(widget)) {
            throw new ApiException(404, "dashboard " + name + " has no widget '" + widget + "' (for this scope); GET /api/dashboards lists them");
        }
        if (!(state.widgets().get(widget) instanceof List<?> rows)) {
            throw new ApiException(400, "widget '" + widget + "' is a single value or a map, not rows; only table and list widgets export as CSV");
        }
        String q = Optional.ofNullable(Request.extractQueryParameters(request).getValue("q")).orElse("").strip();
        if (q.length() > 200) {
            throw new ApiException(400, "q (the row filter) must be at most 200 characters, got " + q.length());
        }
        if (!q.isEmpty()) {
            rows = rows.stream().filter(r -> matches((Map<?, ?>) r, q)).toList();
        }
        java.util.LinkedHashSet<String> columns = new java.util.LinkedHashSet<>();
        rows.forEach(r -> ((Map<?, ?>) r).keySet().forEach(k -> columns.add(String.valueOf(k))));
        var schema = tools.jackson.dataformat.csv.CsvSchema.builder();
        columns.forEach(schema::addColumn);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Object r : rows) {
            Map<String, Object> line = new LinkedHashMap<>();
            ((Map<?, ?>) r).forEach((k, v) -> line.put(String.valueOf(k), v instanceof Map || v instanceof List ? JSON.writeValueAsString(v) : v));
            lines.add(line);
        }
        // no rows, no columns to name: an empty file
        byte[] csv = lines.isEmpty() ? new byte[0] : CSV.writer(schema.setUseHeader(true).build()).writeValueAsBytes(lines);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/csv; charset=utf-8");
        response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + name + "-" + tenant + "-" + widget + ".csv\"");
        response.getHeaders().put("X-Position", state.position().toString());
        response.write(true, ByteBuffer.wrap(csv), callback);
    }

    /**
     * The export's row filter, as the page's search box applies it: every word of {@code q}
     * occurs, ignoring case, in some cell of the row (a looked-up name included).
     */
    static boolean matches(Map<?, ?> row, String q) {
        String text = row.values().stream().map(v -> v == null ? "" : String.valueOf(v)).collect(java.util.stream.Collectors.joining("\u0001"))
                .toLowerCase(java.util.Locale.ROOT);
        for (String word : q.toLowerCase(java.util.Locale.ROOT).split("\\s+")) {
            if (!word.isEmpty() && !text.contains(word)) {
                return false;
            }
        }
        return true;
    }

    private static final tools.jackson.dataformat.csv.CsvMapper CSV = tools.jackson.dataformat.csv.CsvMapper.builder().build();

    private ViewKey viewKey(String name, String tenant, Principal who, Fields query) {
        return viewKey(name, tenant, who, params(query));
    }

    /** A request's query parameters as a map (the last value of a repeated one wins). */
    private static Map<String, String> params(Fields query) {
        Map<String, String> q = new LinkedHashMap<>();
        query.forEach(f -> q.put(f.getName(), f.getValue()));
        return q;
    }

    /** What a stream or poll request asks to watch ({@code ?dashboards=..&datasets=..} and view parameters). */
    private Watch watch(String tenant, Principal who, Fields query) {
        return watch(tenant, who, list(query.getValue("dashboards")), list(query.getValue("datasets")), params(query), true);
    }

    ViewKey viewKey(String name, String tenant, Principal who, Map<String, String> q) {
        DashboardDef def = engine.definitions().find(name).orElseThrow(() -> new ApiException(404,
                "unknown dashboard '" + name + "'; GET /api/dashboards lists them"));
        String scope = who.scoped() ? who.scope() : q.getOrDefault("scope", "");
        String sub = who.scoped() ? who.subject() : q.getOrDefault("sub", "");
        if (who.scoped() && !def.scopes().containsKey(scope)) {
            throw new ApiException(403, "your token is confined to scope '" + scope + "', which dashboard " + name + " does not define");
        }
        return engine.definitions().key(def, tenant, scope, sub, q);
    }

    /** Opens an admitted stream for {@code who}; {@code done} completes when it ends. */
    @FunctionalInterface
    private interface Opener {
        void open(Principal who, Callback done);
    }

    /**
     * Admits a stream under the per-address, per-subject and per-tenant stream limits, then opens
     * it with {@code opener}; the admission is released exactly once, when the stream's callback
     * completes or opening it fails. A refusal counts as a failed connection attempt of the tenant.
     */
    private void stream(Request request, Response response, Callback callback, String tenant, Supplier<Principal> caller, Opener opener) {
        try {
            Principal who = caller.get();
            Runnable release = admitStream(request, tenant, who);
            try {
                opener.open(who, Callback.from(callback, release));
            } catch (RuntimeException e) {
                release.run();
                throw e;
            }
        } catch (RuntimeException e) {
            sessions.failed(tenant);
            throw e;
        }
    }

    /** Admits a stream of {@code who} under the stream limits (429 when refused); returns its once-only release. */
    private Runnable admitStream(Request request, String tenant, Principal who) {
        String ip = Request.getRemoteAddr(request);
        admission.tryAcquireStream(ip, tenant, who.subject()).ifPresent(r -> {
            throw tooMany(r);
        });
        return admission.releaser(ip, tenant, who.subject());
    }

    /**
     * Whom the views a request opens are counted against (their number is capped per principal):
     * the token subject within its tenant, or the client address when there is no subject (open
     * access, a token without {@code sub}).
     */
    static String owner(String tenant, Principal who, String address) {
        return who.subject().isEmpty() ? "client address " + address : "subject '" + who.subject() + "' of tenant '" + tenant + "'";
    }

    /**
     * Upgrades to a pack's WebSocket protocol: the pack's socket decides the tenant and what to
     * watch (as the pack's other routes decide, through a {@link Routes.Call}), which is checked
     * against the caller as a native stream is, admitted under the stream limits, and watched by a
     * {@link dev.switchboard.push.MessageSession}.
     */
    private void protocolSocket(Request request, Response response, Callback callback, Map<String, String> params, ProtocolSocket socket) {
        if (!"websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeader.UPGRADE))) {
            throw new ApiException(426, Request.getPathInContext(request) + " is a WebSocket endpoint: connect with a WebSocket client "
                    + "(Upgrade: websocket); in a browser, new WebSocket(url)", List.of(), Map.of("Upgrade", "websocket"));
        }
        CallImpl call = new CallImpl(request, response, callback, params);
        Routes.Connection connection = socket.socket.open(call);
        Routes.Watch asked = connection.watch();
        String tenant = asked.tenant();
        try {
            Principal who = call.principal(tenant);
            Watch w = watch(tenant, who, asked.dashboards(), asked.datasets(), asked.params());
            Runnable release = admitStream(request, tenant, who);
            var subscription = streams.subscription(tenant, w.keys(), w.datasets(), w.rows())
                    .withBroadcasts(asked.nodeLoad() ? List.of(NodeLoads.TOPIC) : List.of());
            ProtocolEndpoint endpoint = new ProtocolEndpoint(socket, connection, subscription, w.keys(), streams, sessions,
                    new ProtocolEndpoint.Owner(tenant, who, Request.getPathInContext(request)), release);
            try {
                if (!websockets.upgrade((rq, rs, cb) -> endpoint, request, response, Callback.from(callback, release))) {
                    throw new ApiException(400, "not a valid WebSocket upgrade request");
                }
            } catch (RuntimeException e) {
                release.run();
                throw e;
            }
        } catch (RuntimeException e) {
            sessions.failed(tenant); // counted with the other streams' refused attempts
            throw e;
        }
    }

    static ApiException tooMany(Rejection r) {
        return new ApiException(429, r.message(), List.of(), Map.of("Retry-After", Long.toString(r.retryAfterSeconds())));
    }

    /**
     * What a client may watch: each dashboard's view key and each dataset, checked against the
     * principal, and which rows of the datasets it sees ({@code rows}: the whole tenant, or the
     * slice of its scope).
     */
    record Watch(List<ViewKey> keys, List<String> datasets, RowScope rows) {
        Watch {
            keys = List.copyOf(keys);
            datasets = List.copyOf(datasets);
        }

        /** What a client of the whole tenant watches. */
        Watch(List<ViewKey> keys, List<String> datasets) {
            this(keys, datasets, RowScope.WHOLE);
        }

        boolean isEmpty() {
            return keys.isEmpty() && datasets.isEmpty();
        }

        /** A subscription to what this names. */
        Subscription subscription(Streams streams, String tenant) {
            return streams.subscription(tenant, keys, datasets, rows);
        }
    }

    /**
     * What a client may watch, for transports that carry whole datasets only: a token confined to
     * a scope may watch dashboards but no datasets (403).
     */
    Watch watch(String tenant, Principal who, List<String> dashboards, List<String> datasetNames, Map<String, String> params) {
        return watch(tenant, who, dashboards, datasetNames, params, false);
    }

    /**
     * What a client may watch. With {@code slices}, a viewer confined to a scope (by its token, or
     * in open access by {@code ?scope=..&sub=..}) may watch the datasets its scope covers and gets
     * their rows of its slice only ({@link RowScope}); a dataset its scope does not cover is 403.
     */
    Watch watch(String tenant, Principal who, List<String> dashboards, List<String> datasetNames, Map<String, String> params,
                boolean slices) {
        List<ViewKey> keys = new ArrayList<>();
        for (String name : dashboards) {
            keys.add(viewKey(name, tenant, who, params));
        }
        List<String> datasets = new ArrayList<>();
        for (String d : datasetNames) {
            catalog.find(d).orElseThrow(() -> new ApiException(404, "unknown dataset '" + d + "'"));
            datasets.add(d);
        }
        if (!slices && who.scoped() && !datasets.isEmpty()) {
            throw new ApiException(403, "a token confined to a scope may stream dashboards only over this transport, not raw datasets");
        }
        String scope = who.scoped() ? who.scope() : params.getOrDefault("scope", "");
        if (!slices || scope.isEmpty() || datasets.isEmpty()) {
            return new Watch(keys, datasets);
        }
        return new Watch(keys, datasets, rowScope(scope, who.scoped() ? who.subject() : params.getOrDefault("sub", ""), datasets));
    }

    /** The slice of {@code datasets} a viewer confined to {@code scope} of {@code subject} sees; 403 for a dataset it does not cover. */
    RowScope rowScope(String scope, String subject, List<String> datasets) {
        if (subject.isEmpty()) {
            throw new ApiException(400, "scope '" + scope + "' needs a subject: add &sub=<id>");
        }
        Map<String, java.util.function.Predicate<dev.switchboard.change.Row>> rows = new LinkedHashMap<>();
        for (String d : datasets) {
            rows.put(d, engine.definitions().rows(d, scope, subject).orElseThrow(() -> new ApiException(403,
                    "a viewer confined to scope '" + scope + "' may not stream dataset " + d + ": no dashboard's '" + scope
                            + "' scope covers it (GET /api/dashboards lists the scopes)")));
        }
        return new RowScope(scope, subject, rows);
    }

    /** Longest wait of a long-poll. */
    static final int MAX_POLL_WAIT = 60;

    /**
     * HTTP long-polling for clients behind proxies that break streaming: the events after
     * {@code since} as soon as there are any (at most {@code wait} seconds later), or the snapshot
     * without {@code since}; the same resume rules as SSE.
     */
    private void poll(Request request, Response response, Callback callback, String tenant) {
        Principal who = principal(request, response, tenant);
        Fields query = Request.extractQueryParameters(request);
        Watch w = watch(tenant, who, query);
        if (w.isEmpty()) {
            throw new ApiException(400, "name what to poll: ?dashboards=calls and/or ?datasets=call_logs");
        }
        int wait;
        try {
            wait = Integer.parseInt(Optional.ofNullable(query.getValue("wait")).orElse("25"));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "wait must be a whole number of seconds (0-" + MAX_POLL_WAIT + ")");
        }
        if (wait < 0 || wait > MAX_POLL_WAIT) {
            throw new ApiException(400, "wait must be between 0 and " + MAX_POLL_WAIT + " seconds; was " + wait);
        }
        Optional<Position> since = WsEndpoint.position(query.getValue("since"));
        var session = new dev.switchboard.push.PollSession(w.subscription(streams, tenant).by(owner(tenant, who, Request.getRemoteAddr(request))),
                streams.queue(), since);
        request.addFailureListener(t -> session.close(Optional.of(t)));
        sessions.addPoll(session);
        session.poll(java.time.Duration.ofSeconds(wait)).whenComplete((json, error) -> {
            sessions.removePoll(session);
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : error;
                int status = cause instanceof LiveEngine.TooManyViews ? 429 : 503;
                error(response, callback, status, "the poll could not be answered: " + cause.getMessage(), List.of());
                return;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
        });
    }

    /**
     * Notices at once when an HTTP/1.x stream's client goes away, rather than at the next write:
     * the connection is read (an event-stream client sends nothing more), and end-of-stream or an
     * error ends the session, which leaves its topics and releases its views.
     */
    private static void watchForClose(Request request, dev.switchboard.push.Session session) {
        var version = request.getConnectionMetaData().getHttpVersion();
        if (version != org.eclipse.jetty.http.HttpVersion.HTTP_1_1 && version != org.eclipse.jetty.http.HttpVersion.HTTP_1_0) {
            return;
        }
        EndPoint ep = request.getConnectionMetaData().getConnection().getEndPoint();
        Callback onReadable = new Callback() {
            @Override
            public void succeeded() {
                try {
                    int n = ep.fill(org.eclipse.jetty.util.BufferUtil.allocate(256));
                    if (n < 0) {
                        session.close(Optional.empty());
                    } else if (!session.closed()) {
                        ep.tryFillInterested(this); // bytes from an event-stream client mean nothing: dropped
                    }
                } catch (java.io.IOException e) {
                    session.close(Optional.of(e));
                }
            }

            @Override
            public void failed(Throwable x) {
                session.close(Optional.of(x));
            }
        };
        ep.tryFillInterested(onReadable);
    }

    private void events(Request request, Response response, Callback callback, String tenant, Principal who) {
        Fields query = Request.extractQueryParameters(request);
        Watch w = watch(tenant, who, query);
        boolean websocket = "websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeader.UPGRADE));
        if (w.isEmpty() && !websocket) {
            w = defaultWatch(tenant, who).orElseThrow(() -> new ApiException(400,
                    "name what to stream: ?dashboards=calls and/or ?datasets=call_logs (tenant '" + tenant
                            + "' has no rows in any pack, so there is no default stream for it)"));
        }
        String owner = owner(tenant, who, Request.getRemoteAddr(request));
        if (websocket) {
            WsEndpoint endpoint = new WsEndpoint(this, streams, sessions, tenant, who, owner, w, resume(request));
            if (!websockets.upgrade((rq, rs, cb) -> endpoint, request, response, callback)) {
                throw new ApiException(400, "not a valid WebSocket upgrade request");
            }
            return;
        }
        sse(request, response, callback, tenant, who, w, SseSession.CODEC, Optional.empty());
    }

    /** Where a stream request resumes: {@code Last-Event-ID}, or {@code ?lastEventId=} for clients that cannot set headers. */
    private static Optional<Position> resume(Request request) {
        return WsEndpoint.position(Optional.ofNullable(request.getHeaders().get("Last-Event-ID"))
                .orElse(Request.extractQueryParameters(request).getValue("lastEventId")));
    }

    /** Answers with an SSE stream of {@code w}, framed by {@code codec}; listed as {@code label} (its topics by default). */
    private void sse(Request request, Response response, Callback callback, String tenant, Principal who, Watch w, dev.switchboard.hub.Codec codec,
                     Optional<String> label) {
        Optional<Position> resume = resume(request);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        // a stream's connection is never reused: when it ends (token expiry, a stalled client) it closes
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Subscription subscription = w.subscription(streams, tenant).by(owner(tenant, who, Request.getRemoteAddr(request)));
        SseSession session = new SseSession(response, callback, subscription, streams.queue(), codec);
        request.addFailureListener(t -> session.close(Optional.of(t)));
        watchForClose(request, session);
        sessions.add(session, tenant, who, "sse", label.orElse(String.join(" ", subscription.topics())));
        streams.expireAt(session, who.expiresAt());
        session.open(resume).whenComplete((ok, error) -> {
            if (session.closed()) {
                sessions.remove(session);
            }
        });
    }

    /**
     * The stream of the pack whose primary dataset holds rows of {@code tenant}, for a request
     * that names nothing (a scoped caller gets its dashboards only).
     */
    private Optional<Watch> defaultWatch(String tenant, Principal who) {
        for (Router.DefaultStream d : router.defaults()) {
            Dataset ds = catalog.find(d.primaryDataset()).orElseThrow(() -> new IllegalStateException("no dataset " + d.primaryDataset()));
            boolean has = store.read(snapshot -> {
                boolean[] found = {false};
                snapshot.query("SELECT 1 AS found FROM " + ds.name() + " WHERE " + ds.tenant() + " = ? LIMIT 1", List.of(tenant),
                        row -> found[0] = true);
                return found[0];
            });
            if (has) {
                return Optional.of(watch(tenant, who, d.dashboards(), who.scoped() ? List.of() : d.datasets(), Map.of()));
            }
        }
        return Optional.empty();
    }

    private void ingest(Request request, Response response, Callback callback, String tenant, String name, Optional<String> deleteKey) {
        String method = request.getMethod();
        Principal who = principal(request, response, tenant);
        if (!who.write()) {
            throw new ApiException(403, "this token may not write; ingest needs role 'writer'");
        }
        Dataset dataset = catalog.find(name).orElseThrow(() -> new ApiException(404, "unknown dataset '" + name + "'"));
        if (deleteKey.isPresent()) {
            String key = deleteKey.get();
            scopedWrites.checkDelete(who, dataset, tenant, key);
            IngestResult result = store.delete(dataset, tenant, List.of(key));
            json(response, callback, 200, Map.of("count", result.count(), "position", result.position().toString()));
        } else if (method.equals("POST")) {
            String type = Optional.ofNullable(request.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse("");
            if (!type.split(";", 2)[0].trim().equalsIgnoreCase("application/json")) {
                throw new ApiException(415, "send rows as Content-Type: application/json");
            }
            scopedWrites.guard(who, dataset);
            readBody(request, response, callback, bytes -> {
                IngestResult result = upsert(bytes, dataset, tenant, who);
                json(response, callback, 200, Map.of("count", result.count(), "position", result.position().toString()));
            });
        } else {
            throw new ApiException(405, "use POST /api/ingest/{tenant}/{dataset} or DELETE /api/ingest/{tenant}/{dataset}/{key}");
        }
    }

    /**
     * Reads the whole body without holding a thread while it arrives, then runs {@code then} on a
     * pool thread. A body that pauses longer than the body idle limit, or arrives slower than the
     * minimum rate (enforced by {@link HttpServer}'s data-rate handler), gets 408; a body over
     * {@link #MAX_BODY} gets 413.
     */
    private void readBody(Request request, Response response, Callback callback, java.util.function.Consumer<byte[]> then) {
        long declared = request.getLength();
        if (declared > MAX_BODY && declared <= DISCARD_MAX) {
            // read and drop it, then answer: a client still sending its body would otherwise meet a
            // closed connection (a reset) instead of the 413 that tells it what to do
            request.setAttribute(BODY_READ, Boolean.TRUE);
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            Runnable refuse = () -> respond(method, path, response, callback, () -> {
                throw tooLarge();
            });
            Content.Source.consumeAll(request, Callback.from(refuse, x -> refuse.run()));
            return;
        }
        if (declared > MAX_BODY) {
            throw tooLarge();
        }
        request.setAttribute(BODY_READ, Boolean.TRUE);
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idle = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(limits.bodyIdle().toMillis());
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        Content.Source.asByteArrayAsync(request, MAX_BODY + 1, Promise.Invocable.from(Invocable.InvocationType.BLOCKING, (bytes, failure) -> {
            endPoint.setIdleTimeout(idle);
            respond(method, path, response, callback, () -> {
                if (failure != null) {
                    throw bodyFailure(failure);
                }
                if (bytes.length > MAX_BODY) {
                    throw tooLarge();
                }
                then.accept(bytes);
            });
        }));
    }

    /** Bodies over {@link #MAX_BODY} up to this size are read and dropped before the 413; larger ones close the connection. */
    static final long DISCARD_MAX = 16L << 20;

    private static ApiException tooLarge() {
        return new ApiException(413, "request body is larger than " + MAX_BODY + " bytes; split it into smaller batches");
    }

    private ApiException bodyFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new ApiException(408, "the request body arrived too slowly (it must keep up at least " + limits.minBodyRate()
                        + " bytes/s and pause no longer than " + limits.bodyIdle().toMillis() + " ms); nothing was written");
            }
            if (t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("max")) {
                return tooLarge();
            }
        }
        return new ApiException(400, "could not read the request body: " + failure + "; nothing was written");
    }

    private IngestResult upsert(byte[] bytes, Dataset dataset, String tenant, Principal who) {
        return store(dataset, tenant, who, bytes.length, () -> {
            JsonNode body;
            try {
                body = JSON.readTree(bytes);
            } catch (JacksonException e) {
                throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
            }
            List<JsonNode> rows = new ArrayList<>();
            if (body == null || body.isMissingNode()) {
                throw new ApiException(400, "empty body; send a JSON object or an array of objects");
            }
            if (body.isArray()) {
                body.forEach(rows::add);
            } else {
                rows.add(body);
            }
            if (rows.isEmpty()) {
                throw new ApiException(400, "empty array; send at least one row");
            }
            if (rows.size() > MAX_ROWS) {
                throw new ApiException(413, rows.size() + " rows in one request; the limit is " + MAX_ROWS);
            }
            return rows;
        });
    }

    /**
     * Validates rows and writes them in one transaction; nothing is written when one is refused.
     * The rows are parsed ({@code parse}) and checked, the database's own checks and the write
     * after it. A body of more than {@link #LIGHT_BODY} bytes ({@code length}; -1 when unknown) is
     * parsed and checked in a turn of the tenant at the node's {@linkplain #work work turns}; a
     * lighter one costs less than waiting for a turn would, so it runs at once.
     */
    private IngestResult store(Dataset dataset, String tenant, Principal who, long length, Supplier<List<JsonNode>> parse) {
        Supplier<List<Map<String, Object>>> checked = () -> check(dataset, tenant, parse.get(), who);
        List<Map<String, Object>> rows = length >= 0 && length <= LIGHT_BODY ? checked.get() : inTurn(tenant, checked);
        scopedWrites.checkRows(who, dataset, tenant, rows);
        try {
            return store.ingest(dataset, tenant, rows);
        } catch (IngestException e) {
            throw new ApiException(e.status(), e.getMessage() + "; nothing was written",
                    List.of(Map.of("row", e.row(), "field", e.field(), "message", e.getMessage())));
        }
    }

    /** The rows' own checks (CPU only): the sender's row budget, each row's size, and the dataset's columns. */
    private List<Map<String, Object>> check(Dataset dataset, String tenant, List<JsonNode> rows, Principal who) {
        // rows cost their sender before any work, refused or not (a batch failing at its last row included)
        admission.tryRows(tenant, who.subject(), rows.size()).ifPresent(r -> {
            throw tooMany(r);
        });
        for (int i = 0; i < rows.size(); i++) {
            // Every row is fanned out to every subscriber of its tenant: its size multiplies.
            if (jsonBytesAtMost(rows.get(i)) <= limits.maxRowBytes()) {
                continue; // certainly within the limit: not written out to be measured
            }
            int size = JSON.writeValueAsBytes(rows.get(i)).length;
            if (size > limits.maxRowBytes()) {
                String message = "is " + size + " bytes as JSON; the limit per row is " + limits.maxRowBytes()
                        + " bytes (keep large payloads elsewhere and store a link)";
                throw new ApiException(413, "row " + i + " " + message + "; nothing was written",
                        List.of(Map.of("row", i, "field", "", "message", message)));
            }
        }
        var validated = RowValidator.validate(dataset, tenant, rows);
        if (!validated.ok()) {
            List<Map<String, Object>> details = new ArrayList<>();
            validated.problems().forEach(p -> details.add(Map.of("row", p.row(), "field", p.field(), "message", p.message())));
            var first = validated.problems().get(0);
            throw new ApiException(400, "row " + first.row() + (first.field().isEmpty() ? "" : ", field " + first.field()) + ": "
                    + first.message() + (details.size() > 1 ? " (and " + (details.size() - 1) + " more problems)" : "")
                    + "; nothing was written", details);
        }
        return validated.rows();
    }

    /**
     * Request bodies up to this size (a few dozen rows) are parsed and checked without a work
     * turn: the turn exists for batches whose parsing takes many milliseconds, and a one-row write
     * waiting behind another tenant's 5,000-row batch would wait a hundred times its own cost.
     * Many light requests at once are bounded by the per-client request and rate limits instead.
     */
    static final int LIGHT_BODY = 16 << 10;

    /** How long a request waits for a work turn before it is refused with 503. */
    static final java.time.Duration WORK_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * Runs CPU-heavy request work in a turn of {@code tenant} at the node's work turns, so that at
     * most {@link Turns#permits} such pieces run at once, whatever the number of requests: the
     * rest of the cores stay free for capture and delivery, and tenants take turns. A request that
     * waits longer than {@link #WORK_WAIT} gets 503 with {@code Retry-After}, having done nothing.
     */
    private <T> T inTurn(String tenant, Supplier<T> heavy) {
        try {
            if (!work.acquire(tenant, WORK_WAIT)) {
                busyRefusals.increment();
                throw new ApiException(503, "this node is busy with other requests (none of its " + work.permits()
                        + " work turns came free within " + WORK_WAIT.toSeconds() + " s); nothing was done, retry in a few seconds",
                        List.of(), Map.of("Retry-After", "2"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for a work turn; retry", List.of(), Map.of("Retry-After", "2"));
        }
        try {
            return heavy.get();
        } finally {
            work.release(tenant);
        }
    }

    /** Requests refused because no work turn came free in time (for metrics). */
    long busyRefusals() {
        return busyRefusals.sum();
    }

    /**
     * The caller, as {@link #principal(Request, String)}, admitted under the per-tenant and
     * per-subject request rates; and since what follows is private to the caller, the response
     * must not be stored by any cache (unless access is open).
     */
    private Principal principal(Request request, Response response, String tenant) {
        if (!access.isOpen()) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, no-store");
        }
        Principal who = principal(request, tenant);
        admission.tryRequest(tenant, who.subject()).ifPresent(r -> {
            throw tooMany(r);
        });
        return who;
    }

    private Principal principal(Request request, String tenant) {
        Principal who = authenticate(request);
        if (!who.allows(tenant)) {
            // Same answer as for a tenant that does not exist: no way to probe other tenants.
            throw new ApiException(403, "this token does not grant access to tenant '" + tenant + "'");
        }
        return who;
    }

    /** The caller named by the request's bearer token (or {@code ?access_token=}); 401 without a valid one. */
    private Principal authenticate(Request request) {
        String auth = Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse("").trim();
        // The auth scheme is case-insensitive (RFC 9110, 11.1)
        String token = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim()
                : Optional.ofNullable(Request.extractQueryParameters(request).getValue("access_token")).orElse("");
        Principal who = access.authenticate(token).orElseThrow(() -> token.isEmpty()
                ? new ApiException(401, "authentication required: send Authorization: Bearer <token>", List.of(),
                        Map.of("WWW-Authenticate", "Bearer realm=\"switchboard\""))
                : new ApiException(401, "the token is invalid or expired (it must be an HS256 JWT signed with this server's secret, "
                        + "with exp in the future, nbf and iat not in the future, and a lifetime within the server's maximum)", List.of(),
                        Map.of("WWW-Authenticate", "Bearer realm=\"switchboard\", error=\"invalid_token\"")));
        return who;
    }

    /**
     * API keys of a tenant, for the admin grant: {@code POST /api/keys/{tenant}} with
     * {@code {"role": "writer", "name": "..."}} issues one (201; the key is shown only here),
     * {@code GET} lists them, {@code DELETE /api/keys/{tenant}/{id}} revokes one.
     */
    private void keys(Request request, Response response, Callback callback, String tenant, Optional<String> keyId) {
        if (access.isOpen()) {
            throw new ApiException(404, "API keys exist only when tokens are required (serve)");
        }
        requireAdmin(request, response);
        switch (request.getMethod()) {
            case "GET", "HEAD" -> json(response, callback, 200, Map.of("tenant", tenant, "keys", keys.list(tenant)));
            case "DELETE" -> {
                String id = keyId.orElseThrow();
                if (!keys.revoke(tenant, id)) {
                    throw new ApiException(404, "tenant '" + tenant + "' has no unrevoked key '" + id + "'");
                }
                json(response, callback, 200, Map.of("revoked", id));
            }
            case "POST" -> readBody(request, response, callback, bytes -> {
                JsonNode body;
                try {
                    body = JSON.readTree(bytes);
                } catch (JacksonException e) {
                    throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
                }
                ApiKeys.Issued k = keys.issue(tenant, body.path("role").asString("writer"), body.path("name").asString(""));
                json(response, callback, 201, Map.of("id", k.id(), "tenant", k.tenant(), "role", k.role(), "name", k.name(), "key", k.key(),
                        "note", "store the key now: it is not shown again"));
            });
            default -> throw new ApiException(405, "use GET or POST /api/keys/{tenant}, or DELETE /api/keys/{tenant}/{id}");
        }
    }

    /** Operator routes: with tokens, only the admin grant ({@code tenant: "*"}, {@code role: admin}) may read them. */
    private void requireAdmin(Request request, Response response) {
        if (access.isOpen()) {
            return;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, no-store");
        if (!principal(request, "*").admin()) {
            throw new ApiException(403, "this route needs an admin token (tenant \"*\", role \"admin\")");
        }
    }

    /** A path parameter, decoded and checked against the name rule. */
    static String name(Map<String, String> params, String what) {
        String raw = params.get(what);
        if (raw == null || raw.isEmpty()) {
            throw new ApiException(404, "the URL is missing the " + what);
        }
        String s = java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (!NAME.matcher(s).matches()) {
            throw new ApiException(400, what + " '" + s + "' must be 1-128 letters, digits or _ . : @ -");
        }
        return s;
    }

    /** The row key of a DELETE URL, under the same rule as ingest's keys. */
    private static String key(String raw) {
        String key = java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
        RowValidator.keyProblem(key).ifPresent(m -> {
            throw new ApiException(400, m);
        });
        return key;
    }

    static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return List.of(csv.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** A request handled by a pack's route: the native API's checks, views and answers, nothing more. */
    private final class CallImpl implements Routes.Call {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Map<String, String> params;
        private final Map<String, Principal> principals = new java.util.HashMap<>();
        /** The tenant this request named or was found to serve, so far ("" while unknown). */
        private String tried = "";
        /** Whether Api.stream took over (and counts its own refusals). */
        private boolean streaming;

        CallImpl(Request request, Response response, Callback callback, Map<String, String> params) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.params = params;
        }

        @Override
        public String param(String name) {
            return name(params, name);
        }

        @Override
        public Optional<String> query(String name) {
            return Optional.ofNullable(Request.extractQueryParameters(request).getValue(name));
        }

        @Override
        public Map<String, String> queries() {
            return params(Request.extractQueryParameters(request));
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(request.getHeaders().get(name));
        }

        @Override
        public String tenant(Optional<String> claimed, String fallback) {
            Optional<String> given = claimed.filter(c -> !c.isBlank()).map(c -> name(Map.of("tenant", c), "tenant"));
            if (access.isOpen()) {
                tried = given.orElse(fallback);
                return tried;
            }
            tried = given.orElse("");
            Principal who = authenticate(request);
            if (given.isPresent()) {
                if (!who.allows(given.get())) {
                    throw new ApiException(403, "this token does not grant access to tenant '" + given.get()
                            + "'; with tokens the tenant comes from the token, and a different one in the request is refused");
                }
                return given.get();
            }
            List<String> mine = who.tenants().stream().filter(t -> !t.equals(Principal.ALL_TENANTS)).sorted().toList();
            if (mine.size() != 1) {
                throw new ApiException(400, "this token grants " + (mine.isEmpty() ? "every tenant" : mine.size() + " tenants")
                        + "; name the tenant in the request");
            }
            tried = mine.get(0);
            return tried;
        }

        @Override
        public Principal principal(String tenant) {
            return principals.computeIfAbsent(tenant, t -> Api.this.principal(request, response, t));
        }

        @Override
        public boolean open() {
            return access.isOpen();
        }

        @Override
        public boolean healthy() {
            return Api.this.healthy();
        }

        @Override
        public java.time.Instant now() {
            return engine.clock().instant();
        }

        @Override
        public java.time.Clock clock() {
            return engine.clock();
        }

        @Override
        public Routes.NodeLoad nodeLoad() {
            return NodeLoads.sample(engine.clock(), healthy());
        }

        @Override
        public Map<String, Object> widgets(String dashboard, String tenant, Map<String, String> viewParams) {
            ViewKey key = viewKey(dashboard, tenant, principal(tenant), viewParams);
            return engine.state(key).widgets();
        }

        @Override
        public String ingest(String tenant, String dataset, List<Map<String, Object>> rows) {
            Dataset d = catalog.find(dataset).orElseThrow(() -> new IllegalStateException("no dataset " + dataset));
            return store(d, tenant, Principal.OPEN, request.getLength(), () -> {
                List<JsonNode> nodes = new ArrayList<>();
                rows.forEach(r -> nodes.add(JSON.valueToTree(r)));
                return nodes;
            }).position().toString();
        }

        @Override
        public void stream(String tenant, Routes.Watching what, Routes.Frames frames) {
            streaming = true;
            Api.this.stream(request, response, callback, tenant, () -> principal(tenant), (who, done) -> {
                Watch w = watch(tenant, who, what.dashboards(), what.datasets(), what.params(), true);
                if (w.isEmpty()) {
                    throw new IllegalStateException("a compatibility stream must watch something: " + what);
                }
                sse(request, response, done, tenant, who, w, MappedSse.codec(frames), Optional.of(what.label()));
            });
        }

        @Override
        public List<Routes.Stream> streams(String tenant) {
            return sessions.of(tenant);
        }

        @Override
        public int openStreams() {
            return sessions.size();
        }

        @Override
        public Routes.Connections connections(String tenant) {
            return sessions.connections(Optional.of(tenant));
        }

        @Override
        public void body(java.util.function.Consumer<byte[]> then) {
            readBody(request, response, callback, then);
        }

        @Override
        public void json(int status, Object body) {
            Api.json(response, callback, status, body);
        }

        @Override
        public RuntimeException reject(int status, Map<String, Object> body) {
            return new Rejected(status, body);
        }
    }

    /**
     * An upper bound of {@code n}'s size as JSON, without writing it: a character takes at most 6
     * bytes (an escape), a plain number at most 32, an arbitrary-precision one its digits.
     */
    static long jsonBytesAtMost(JsonNode n) {
        if (n.isString()) {
            return 2 + 6L * n.asString().length();
        }
        if (n.isBigInteger() || n.isBigDecimal()) {
            return 8 + n.asString().length();
        }
        if (n.isObject()) {
            long size = 2;
            for (var e : n.properties()) {
                size += 6L * e.getKey().length() + 4 + jsonBytesAtMost(e.getValue());
            }
            return size;
        }
        if (n.isArray()) {
            long size = 2;
            for (JsonNode v : n) {
                size += 1 + jsonBytesAtMost(v);
            }
            return size;
        }
        return 32; // a long, a double, true, false, null
    }

    static void json(Response response, Callback callback, int status, Object body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(NOSNIFF);
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
    }

    static void error(Response response, Callback callback, int status, String message, List<Map<String, Object>> details) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException(message));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        json(response, callback, status, body);
    }


    private static byte[] resource(String name) {
        try (var in = Api.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
