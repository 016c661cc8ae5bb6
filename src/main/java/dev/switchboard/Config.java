package dev.switchboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Everything a Switchboard process is started with; immutable and validated once.
 *
 * <p>Every setting is declared once below (name, default, range, meaning) and is then available
 * as a flag ({@code --ring-size 4096}), an environment variable ({@code SWITCHBOARD_RING_SIZE})
 * and a key of the optional YAML config file ({@code ring-size: 4096}). Precedence: flag &gt;
 * environment &gt; file &gt; default. To add a setting: declare it here with its default and
 * description, and add an accessor that documents the default; the CLI, {@code --help},
 * {@code switchboard config} and the file reader pick it up from {@link #settings()}.
 */
public final class Config {
    private static final List<Setting<?>> ALL = new ArrayList<>();

    // ---- the settings: one declaration each ---------------------------------------------------
    static final Setting<String> HOST = def(Setting.text("host", demo -> demo ? "127.0.0.1" : "0.0.0.0", "[A-Za-z0-9.:\\[\\]-]+",
            "Interface to bind (demo: loopback; serve: all interfaces)."));
    static final Setting<Integer> PORT = def(Setting.integer("port", 8080, 0, 65535, "HTTP port; 0 picks a free one."));
    static final Setting<Path> DATA_DIR = def(Setting.path("data-dir", "./data", "Folder of the SQLite database (<data-dir>/switchboard.db)."));
    static final Setting<Optional<String>> DATABASE = def(Setting.optional("database", Setting.Scope.SERVE, true, s -> {
        DatabaseUrl.parse(s);
        return s;
    }, s -> DatabaseUrl.parse(s).redacted(),
            "PostgreSQL URL: postgres://user:password@host:5432/db?sslmode=require (libpq form, several hosts allowed) "
                    + "or jdbc:postgresql://...; empty means embedded SQLite."));
    static final Setting<Optional<Path>> DASHBOARDS = def(Setting.optional("dashboards", Setting.Scope.ALL, false, Path::of, Path::toString,
            "Extra folder of dashboard definitions (*.yaml)."));
    static final Setting<String> NODE = def(Setting.text("node", demo -> "node1", "[a-z0-9_-]{1,40}",
            "This node's name, unique among nodes sharing a database and stable across its restarts: "
                    + "a-z, 0-9, _ and - (between letters or digits; no __)."));
    static final Setting<List<String>> ALLOW_ORIGIN = def(Setting.list("allow-origin",
            "Web origins whose pages may use the API from a browser (CORS), e.g. https://app.example.com; comma-separated; * for any. "
                    + "Default: none (same origin only)."));
    static final Setting<Double> SIMULATE_RATE = def(Setting.decimal("simulate-rate", 20, 0, 100_000, Setting.Scope.DEMO,
            "How busy simulated tenants are: 20 is each pack's arrival model as declared (a shop acts a few times an hour, "
                    + "a dialer every few seconds), 40 doubles every rate; 0 turns the simulator off."));
    static final Setting<Optional<String>> JWT_SECRET = def(Setting.optional("jwt-secret", Setting.Scope.SERVE, true, s -> s, s -> s,
            "HS256 secret (32+ bytes) for bearer tokens; serve requires it unless --insecure-open-access. "
                    + "Prefer the environment or the file to the flag (flags show in ps)."));
    static final Setting<Optional<String>> WEBHOOK_SECRET = def(Setting.optional("webhook-secret", Setting.Scope.ALL, true, s -> s, s -> s,
            "Shared secret of the voice-agent webhook (POST /api/webhooks/vapi/{clientKey}): the request carries it in X-Vapi-Secret, "
                    + "or signs its body with it (X-Vapi-Signature: hex HMAC-SHA256). Without it the webhook is open in demo "
                    + "and refused (503) in serve."));
    static final Setting<Optional<String>> ALERT_WEBHOOK = def(Setting.optional("alert-webhook", Setting.Scope.ALL, false, s -> {
        java.net.URI u = java.net.URI.create(s);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            throw new IllegalArgumentException("the alert webhook must be an http(s) URL");
        }
        return s;
    }, s -> s, "URL that receives every alert that fires or resolves as a JSON POST (retried 3 times with backoff), "
            + "signed with --alert-webhook-secret in X-Switchboard-Signature: sha256=<hex HMAC-SHA256 of the body>."));
    static final Setting<Optional<String>> ALERT_WEBHOOK_SECRET = def(Setting.optional("alert-webhook-secret", Setting.Scope.ALL, true, s -> s, s -> s,
            "Secret that signs alert webhook posts."));
    static final Setting<Map<String, java.time.ZoneId>> TENANT_ZONES = def(Setting.custom("tenant-zones",
            "Time zones of tenants, e.g. bright-smile-dental=Europe/London,acme-outbound=America/New_York: their calendar windows "
                    + "(today, this week), day and hour buckets and labels use it; other tenants use their dashboards' zone (UTC).",
            Config::parseZones, v -> v.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getId())
                    .collect(java.util.stream.Collectors.joining(","))));
    static final Setting<Boolean> INSECURE_OPEN_ACCESS = def(Setting.bool("insecure-open-access", Setting.Scope.SERVE,
            "Serve without authentication. Never on an untrusted network."));
    static final Setting<String> LOG_FORMAT = def(Setting.choice("log-format", "text", List.of("text", "json"),
            "Log lines as text or as one JSON object per line."));
    // tunables
    static final Setting<Integer> RING_SIZE = def(Setting.integer("ring-size", 4096, 16, 10_000_000,
            "Events per topic kept in memory for resuming with Last-Event-ID; also the changes replayed into the rings at start."));
    static final Setting<Integer> RING_BYTES = def(Setting.integer("ring-bytes", 8 << 20, 4096, Integer.MAX_VALUE,
            "JSON bytes per topic kept in memory for resuming, whatever ring-size says (dashboards whose deltas carry long lists "
                    + "reach it first); a client resuming from further back gets a backfill from the change log or a fresh snapshot."));
    static final Setting<Duration> RETENTION_INTERVAL = def(Setting.duration("retention-interval", Duration.ofMinutes(1), Duration.ofSeconds(1),
            Duration.ofDays(1), "How often rows older than their dataset's retention are deleted (at most 1,000 per dataset per run)."));
    static final Setting<Integer> MAX_VIEWS = def(Setting.integer("max-views-per-tenant", 1000, 1, 1_000_000,
            "Live views one tenant may have (one per distinct scope subject and parameters); one more is refused with 429."));
    static final Setting<Integer> MAX_VIEWS_PER_PRINCIPAL = def(Setting.integer("max-views-per-principal", 20, 1, 1_000_000,
            "Live views one principal (a token subject, or a client address without one) may have created; one more is refused "
                    + "with 429, so one viewer varying ?sub= or parameters cannot use up its tenant's views."));
    static final Setting<Integer> SSE_QUEUE = def(Setting.integer("sse-queue", 1024, 16, 1_000_000,
            "Events queued per stream before it is resynchronized as a reconnecting client would be."));
    static final Setting<Duration> VIEW_IDLE = def(Setting.duration("view-idle", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(7),
            "How long a live view nobody watches stays in memory."));
    static final Setting<Duration> TOPIC_IDLE = def(Setting.duration("topic-idle", Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(7),
            "How long a hub topic nobody subscribes to keeps its resume ring."));
    static final Setting<Integer> BACKFILL_MAX = def(Setting.integer("backfill-max", 100_000, 0, 100_000_000,
            "Most changes a resuming stream is sent from the change log beyond its ring; further back it gets a fresh snapshot."));
    static final Setting<Duration> HEARTBEAT = def(Setting.duration("heartbeat", Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofMinutes(10),
            "Interval of stream heartbeats (keep it below proxies' idle timeouts and --http-idle-timeout)."));
    static final Setting<Duration> TICK = def(Setting.duration("tick", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(1),
            "How often time-windowed widgets advance."));
    static final Setting<Duration> RECONCILE = def(Setting.duration("reconcile", Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofDays(1),
            "How often live views are compared with SQL (and rebuilt on a mismatch)."));
    static final Setting<Duration> SWEEP = def(Setting.duration("sweep", Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofHours(1),
            "How often idle hub topics are swept."));
    static final Setting<Duration> SQLITE_MAINTENANCE = def(Setting.duration("sqlite-maintenance", Duration.ofMinutes(10), Duration.ofSeconds(10),
            Duration.ofDays(1), "SQLite only: how often the change log is pruned and PRAGMA optimize runs."));
    static final Setting<Integer> SQLITE_KEEP_CHANGES = def(Setting.integer("sqlite-keep-changes", 1_000_000, 1_000, 1_000_000_000,
            "SQLite only: changes kept in the change log by pruning."));
    static final Setting<Integer> HTTP_THREADS = def(Setting.integer("http-threads", 200, 8, 10_000,
            "Most HTTP worker threads."));
    static final Setting<Duration> HTTP_IDLE_TIMEOUT = def(Setting.duration("http-idle-timeout", Duration.ofSeconds(60), Duration.ofSeconds(1),
            Duration.ofHours(1), "Idle time after which an HTTP connection is closed (streams send heartbeats to stay open)."));
    static final Setting<Integer> HTTP_SEND_BUFFER = def(Setting.integer("http-send-buffer", dev.switchboard.http.HttpServer.Tuning.SEND_BUFFER, 0, 64 << 20,
            "Socket send buffer of each accepted connection, in bytes (the kernel doubles it; 0: the OS default, which grows with "
                    + "net.ipv4.tcp_wmem, to 4 MiB on Linux): how much a client that stopped reading absorbs before its stream stalls."));
    static final Setting<Integer> WORK_PERMITS = def(Setting.integer("work-permits", 0, 0, 1024,
            "Most CPU-heavy pieces of request work (parsing and checking ingested rows) run at once, handed to tenants in turn; "
                    + "the rest wait (up to 5 s, then 503). 0: one less than the cores, at least one, so a flood of requests leaves "
                    + "a core to capture and delivery."));
    static final Setting<Duration> SHUTDOWN_TIMEOUT = def(Setting.duration("shutdown-timeout", Duration.ofSeconds(20), Duration.ofSeconds(1),
            Duration.ofMinutes(10), "Most time a stop (SIGTERM, Ctrl+C) takes: streams are told to reconnect elsewhere with their position, "
                    + "requests in progress finish, capture closes; what remains then is cut and the process exits."));
    static final Setting<Integer> PG_POOL_SIZE = def(Setting.integer("pg-pool-size", 10, 1, 1000,
            "PostgreSQL connection pool size; each node opens 2 more (capture's replication stream and the node-name lock)."));
    // scale-out on NATS JetStream (docs/SCALING.md)
    static final Setting<String> ROLE = def(Setting.choice("role", "node", List.of("node", "capture", "edge"),
            "node: capture from PostgreSQL and serve (one slot per node); capture: capture once and publish to --broker, "
                    + "serving only health and metrics; edge: serve from the --broker stream, capturing nothing."));
    static final Setting<Optional<String>> BROKER = def(Setting.optional("broker", Setting.Scope.SERVE, true, s -> {
        if (!s.matches("(nats|tls)://[^\\s]+(,(nats|tls)://[^\\s]+)*")) {
            throw new IllegalArgumentException("must be nats://host:port (several comma-separated), was '" + redactBroker(s) + "'");
        }
        return s;
    }, Config::redactBroker, "NATS server(s) with JetStream for --role capture and edge: nats://host:4222 (user:password@ or token@ allowed)."));
    static final Setting<String> BROKER_STREAM = def(Setting.text("broker-stream", demo -> "switchboard", "[A-Za-z0-9_-]{1,64}",
            "JetStream stream of this database's changes (subject switchboard.<stream>.changes); one per database."));
    static final Setting<Duration> BROKER_RETENTION = def(Setting.duration("broker-retention", Duration.ofHours(24), Duration.ofMinutes(2),
            Duration.ofDays(365), "How long the stream keeps changes (set by the capture node): how far back a client can resume on any edge."));
    static final Setting<Integer> BROKER_MAX_MB = def(Setting.integer("broker-max-mb", 10_240, 1, 100_000_000,
            "Most megabytes the stream keeps (set by the capture node); the oldest changes go first."));

    /**
     * Settings that are declared and validated but not yet read by the engine (the core's wiring
     * reads them as it is rewritten; remove a setting here when it takes effect). Setting one
     * gives a warning rather than silently doing nothing.
     */
    static final java.util.Set<Setting<?>> NOT_YET_IN_EFFECT = java.util.Set.of();

    /** Environment variables kept from earlier releases, and the setting each one sets (the new name wins). */
    static final Map<String, Setting<?>> ENV_ALIASES = Map.of("SWITCHBOARD_ALLOW_ORIGINS", ALLOW_ORIGIN);

    private static <T> Setting<T> def(Setting<T> s) {
        ALL.add(s);
        return s;
    }

    /** Where a value came from, in precedence order (a later one wins). */
    public enum Source { DEFAULT, FILE, ENV, FLAG, CODE }

    private final boolean demo;
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> origins;

    private Config(boolean demo, Map<Setting<?>, Object> values, Map<Setting<?>, String> origins, boolean validate) {
        this.demo = demo;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
        if (validate) {
            validate();
        }
    }

    /** A config with every other setting at its default, as the tests and benchmarks build it. */
    public Config(boolean demo, String host, int port, Path dataDir, Optional<String> database, double simulateRate,
                  Optional<Path> dashboards, Optional<String> jwtSecret, boolean insecureOpen, String node,
                  List<String> allowedOrigins) {
        this(demo, codeValues(demo, Map.ofEntries(Map.entry(HOST, host), Map.entry(PORT, port),
                Map.entry(DATA_DIR, dataDir), Map.entry(DATABASE, database), Map.entry(SIMULATE_RATE, simulateRate),
                Map.entry(DASHBOARDS, dashboards), Map.entry(JWT_SECRET, jwtSecret), Map.entry(INSECURE_OPEN_ACCESS, insecureOpen),
                Map.entry(NODE, node), Map.entry(ALLOW_ORIGIN, List.copyOf(allowedOrigins)))), Map.of(), true);
    }

    /** A config that allows no other origins. */
    public Config(boolean demo, String host, int port, Path dataDir, Optional<String> database, double simulateRate,
                  Optional<Path> dashboards, Optional<String> jwtSecret, boolean insecureOpen, String node) {
        this(demo, host, port, dataDir, database, simulateRate, dashboards, jwtSecret, insecureOpen, node, List.of());
    }

    private static Map<Setting<?>, Object> codeValues(boolean demo, Map<Setting<?>, Object> given) {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : ALL) {
            values.put(s, given.containsKey(s) ? given.get(s) : s.parse(s.defaultText(demo), "default"));
        }
        return values;
    }

    /** This config with {@code setting} set to {@code value} (validated again). */
    <T> Config with(Setting<T> setting, T value) {
        Map<Setting<?>, Object> v = new LinkedHashMap<>(values);
        v.put(setting, value);
        Map<Setting<?>, String> o = new LinkedHashMap<>(origins);
        o.put(setting, "code");
        return new Config(demo, v, o, true);
    }

    /**
     * This config with each setting named in {@code settings} set from its text as its flag would
     * set it, then validated, e.g. {@code with(Map.of("role", "edge", "broker", "nats://..."))}:
     * for tests and programs that embed a server.
     */
    public Config with(Map<String, String> settings) {
        Map<Setting<?>, Object> v = new LinkedHashMap<>(values);
        Map<Setting<?>, String> o = new LinkedHashMap<>(origins);
        settings.forEach((key, text) -> {
            Setting<?> setting = ALL.stream().filter(s -> s.key.equals(key)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown setting '" + key + "'" + suggestion(key)));
            v.put(setting, setting.parse(text, "code"));
            o.put(setting, "code");
        });
        return new Config(demo, v, o, true);
    }

    /** Every setting, in declaration order. */
    static List<Setting<?>> settings() {
        return List.copyOf(ALL);
    }

    /**
     * Resolves every setting that applies to {@code demo} or serve from, in increasing precedence,
     * the defaults, the config {@code file}, the environment {@code env} and the {@code flags}
     * given (setting key to raw text). Not validated across settings yet: see {@link #validated()}.
     */
    static Config resolve(boolean demo, Map<String, String> flags, Map<String, String> env, Optional<Path> file) {
        Map<String, String> fromFile = file.map(Config::readFile).orElse(Map.of());
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        Map<Setting<?>, String> origins = new LinkedHashMap<>();
        for (Setting<?> s : ALL) {
            String text = s.defaultText(demo);
            String origin = "default";
            if (s.appliesTo(demo)) {
                if (fromFile.containsKey(s.key)) {
                    text = fromFile.get(s.key);
                    origin = "file " + file.orElseThrow().getFileName();
                }
                for (Map.Entry<String, Setting<?>> alias : ENV_ALIASES.entrySet()) {
                    if (alias.getValue() == s && env.containsKey(alias.getKey())) {
                        text = env.get(alias.getKey());
                        origin = "env " + alias.getKey();
                    }
                }
                if (env.containsKey(s.env())) {
                    text = env.get(s.env());
                    origin = "env " + s.env();
                }
                if (flags.containsKey(s.key)) {
                    text = flags.get(s.key);
                    origin = "flag " + s.flag();
                }
            }
            values.put(s, s.parse(text, origin));
            origins.put(s, origin);
        }
        return new Config(demo, values, origins, false);
    }

    /**
     * {@code SWITCHBOARD_*} variables in {@code env} that set nothing (a typo, or a removed
     * setting), each with a suggestion when one is close; {@code SWITCHBOARD_CONFIG} and the test
     * suite's {@code SWITCHBOARD_PG_URL} are known.
     */
    static List<String> unknownEnvironment(Map<String, String> env) {
        java.util.Set<String> known = new java.util.HashSet<>(List.of("SWITCHBOARD_CONFIG", "SWITCHBOARD_PG_URL"));
        known.addAll(ENV_ALIASES.keySet());
        known.addAll(dev.switchboard.limits.Limits.VARIABLES);
        ALL.forEach(s -> known.add(s.env()));
        return env.keySet().stream().filter(k -> k.startsWith("SWITCHBOARD_") && !known.contains(k)).sorted()
                .map(k -> k + ALL.stream().filter(s -> distance(s.env(), k) <= 2).findFirst()
                        .map(s -> " (did you mean " + s.env() + "?)").orElse(""))
                .toList();
    }

    /** Warnings for settings given a value (not the default) that is not in effect yet. */
    List<String> notYetInEffect() {
        return ALL.stream().filter(s -> NOT_YET_IN_EFFECT.contains(s) && !origins.getOrDefault(s, "default").equals("default"))
                .map(s -> s.key + " is accepted but not in effect yet in this build (the default " + s.defaultText(demo) + " applies)")
                .toList();
    }

    /** This config, checked across settings (e.g. serve needs authentication). */
    Config validated() {
        return new Config(demo, values, origins, true);
    }

    /** Reads a flat YAML mapping of setting keys; unknown keys and nested values are refused. */
    static Map<String, String> readFile(Path file) {
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must be a mapping of settings (key: value)");
        }
        Map<String, Setting<?>> known = ALL.stream().collect(Collectors.toMap(s -> s.key, s -> s));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!known.containsKey(e.getKey())) {
                throw new IllegalArgumentException("config file " + file + ": unknown setting '" + e.getKey() + "'"
                        + suggestion(e.getKey()) + " (known: " + ALL.stream().map(s -> s.key).collect(Collectors.joining(", ")) + ")");
            }
            JsonNode v = e.getValue();
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(scalar(file, e.getKey(), item)));
                out.put(e.getKey(), String.join(",", items));
            } else {
                out.put(e.getKey(), scalar(file, e.getKey(), v));
            }
        }
        return out;
    }

    private static String scalar(Path file, String key, JsonNode v) {
        if (v.isObject() || v.isArray()) {
            throw new IllegalArgumentException("config file " + file + ": '" + key + "' must be a single value");
        }
        return v.isNull() ? "" : v.asString();
    }

    private static String suggestion(String key) {
        return ALL.stream().filter(s -> distance(s.key, key) <= 2).findFirst().map(s -> "; did you mean '" + s.key + "'?").orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    private void validate() {
        for (String o : allowedOrigins()) {
            if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("allowed origin must be scheme://host[:port] with no path, or *; was '" + o + "'");
            }
        }
        if (port() < 0 || port() > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port());
        }
        if (simulateRate() < 0 || simulateRate() > 100_000) {
            throw new IllegalArgumentException("simulate-rate must be 0-100000 events per second, was " + simulateRate());
        }
        database().ifPresent(DatabaseUrl::parse);
        // a capture node serves no tenant data (health and metrics only), so it needs no token secret
        if (!demo && jwtSecret().isEmpty() && !insecureOpen() && !role().equals("capture")) {
            throw new IllegalArgumentException("serve needs authentication: set SWITCHBOARD_JWT_SECRET (32+ bytes) "
                    + "or pass --insecure-open-access for a trusted network only");
        }
        validateNode(node());
        if (!role().equals("node")) {
            if (demo) {
                throw new IllegalArgumentException("--role " + role() + " is for serve, not demo");
            }
            if (database().isEmpty() || broker().isEmpty()) {
                throw new IllegalArgumentException("--role " + role() + " needs --database (PostgreSQL) and --broker (NATS with JetStream), "
                        + "e.g. --broker nats://127.0.0.1:4222");
            }
        } else if (broker().isPresent()) {
            throw new IllegalArgumentException("--broker is used by --role capture and --role edge; this node runs as --role node, "
                    + "which captures for itself (set --role, or remove --broker)");
        }
    }

    /** A NATS URL list with user:password@ or token@ masked. */
    static String redactBroker(String url) {
        return url.replaceAll("(?<=://)[^@/,]*@", "***@");
    }

    /**
     * Node names: 1-40 of a-z, 0-9, {@code _} and {@code -}, a hyphen only between letters or
     * digits and no {@code __}, so that the slot name (hyphen written {@code __}) is unique per name.
     */
    static void validateNode(String node) {
        if (!node.matches("[a-z0-9_-]{1,40}") || node.contains("__") || node.matches("(?s).*(^|[^a-z0-9])-.*|.*-($|[^a-z0-9]).*")) {
            throw new IllegalArgumentException("node name must be 1-40 of a-z, 0-9, _ and - (a hyphen only between letters or digits, "
                    + "no '__'), e.g. node-a; was '" + node + "'");
        }
    }

    /**
     * The effective configuration, one line per setting that applies: key, value (secrets
     * masked) and where it came from.
     */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Setting<?> s : ALL) {
            if (!s.appliesTo(demo)) {
                continue;
            }
            String value = s.print(values.get(s));
            if (s.secret && !value.isEmpty() && s != DATABASE && s != BROKER) {
                value = "****";
            }
            lines.add(String.format("%-22s %-40s %s", s.key, value.isEmpty() ? "(not set)" : value, origins.getOrDefault(s, "code")));
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    @Override
    public String toString() {
        return String.join("\n", describe());
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** Open access plus simulated traffic. */
    public boolean demo() {
        return demo;
    }

    /** Interface to bind; the default is 127.0.0.1 for demo, 0.0.0.0 for serve. */
    public String host() {
        return get(HOST);
    }

    /** HTTP port (0 picks a free one). The default is 8080. */
    public int port() {
        return get(PORT);
    }

    /** Where the SQLite file lives ({@code <dataDir>/switchboard.db}). The default is {@code ./data}. */
    public Path dataDir() {
        return get(DATA_DIR);
    }

    /** A PostgreSQL URL (libpq or JDBC form; contains the password: never log it); empty means the embedded SQLite store. */
    public Optional<String> database() {
        return get(DATABASE);
    }

    /**
     * How busy simulated tenants are in demo mode: 20 runs each pack's arrival model as declared,
     * other values scale every tenant's rate in proportion; 0 turns the simulator off. The default is 20.
     */
    public double simulateRate() {
        return get(SIMULATE_RATE);
    }

    /** An extra folder of dashboard definitions. None by default. */
    public Optional<Path> dashboards() {
        return get(DASHBOARDS);
    }

    /** HS256 secret for tokens; required by serve unless {@link #insecureOpen()}. */
    static Map<String, java.time.ZoneId> parseZones(String s) {
        Map<String, java.time.ZoneId> out = new LinkedHashMap<>();
        for (String entry : s.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.trim().split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("each tenant zone is tenant=Zone, e.g. acme=Europe/Berlin; got '" + entry.trim() + "'");
            }
            try {
                out.put(kv[0].trim(), java.time.ZoneId.of(kv[1].trim()));
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("unknown time zone '" + kv[1].trim() + "' for tenant " + kv[0].trim()
                        + " (use a region such as Europe/Berlin or America/New_York)");
            }
        }
        return Map.copyOf(out);
    }

    /** Each configured tenant's time zone. */
    public Map<String, java.time.ZoneId> tenantZones() {
        return get(TENANT_ZONES);
    }

    public Optional<String> alertWebhook() {
        return get(ALERT_WEBHOOK);
    }

    public Optional<String> alertWebhookSecret() {
        return get(ALERT_WEBHOOK_SECRET);
    }

    public Optional<String> webhookSecret() {
        return get(WEBHOOK_SECRET);
    }

    public Optional<String> jwtSecret() {
        return get(JWT_SECRET);
    }

    /** Serve without authentication (never in production). The default is false. */
    public boolean insecureOpen() {
        return get(INSECURE_OPEN_ACCESS);
    }

    /** This node's name, unique among nodes sharing a database; it names the node's replication slot. The default is node1. */
    public String node() {
        return get(NODE);
    }

    /** Web origins whose pages may call the API and open streams from the browser (CORS); none by default. */
    public List<String> allowedOrigins() {
        return get(ALLOW_ORIGIN);
    }

    /** {@code text} or {@code json} log lines. The default is text. */
    public String logFormat() {
        return get(LOG_FORMAT);
    }

    /** Events per topic kept for resuming, and changes replayed into the rings at start. The default is 4096 ({@code Hub.RING}). */
    public int ringSize() {
        return get(RING_SIZE);
    }

    /** JSON bytes per topic kept for resuming. The default is 8 MiB ({@code Hub.RING_BYTES}). */
    public int ringBytes() {
        return get(RING_BYTES);
    }

    /** How often expired rows are deleted ({@code retention} of a dataset). The default is 1 minute. */
    public Duration retentionInterval() {
        return get(RETENTION_INTERVAL);
    }

    /** Live views one tenant may have. The default is 1,000 ({@code LiveEngine.MAX_VIEWS_PER_TENANT}). */
    public int maxViewsPerTenant() {
        return get(MAX_VIEWS);
    }

    /** Live views one principal may have created. The default is 20 ({@code LiveEngine.MAX_VIEWS_PER_PRINCIPAL}). */
    public int maxViewsPerPrincipal() {
        return get(MAX_VIEWS_PER_PRINCIPAL);
    }

    /** Events queued per SSE stream before it is resynchronized. The default is 1024 ({@code SseSession.QUEUE}). */
    public int sseQueue() {
        return get(SSE_QUEUE);
    }

    /** How long an unwatched live view stays in memory. The default is 5 minutes ({@code LiveEngine.IDLE}). */
    public Duration viewIdle() {
        return get(VIEW_IDLE);
    }

    /** How long an unsubscribed hub topic keeps its ring. The default is 10 minutes ({@code Hub.IDLE}). */
    public Duration topicIdle() {
        return get(TOPIC_IDLE);
    }

    /** Most changes backfilled to a resuming stream beyond its ring. The default is 100,000 ({@code Subscription.BACKFILL_MAX}). */
    public int backfillMax() {
        return get(BACKFILL_MAX);
    }

    /** Interval of stream heartbeats. The default is 15 seconds. */
    public Duration heartbeat() {
        return get(HEARTBEAT);
    }

    /** How often windowed widgets advance. The default is 1 second. */
    public Duration tick() {
        return get(TICK);
    }

    /** How often views are reconciled with SQL. The default is 5 minutes. */
    public Duration reconcile() {
        return get(RECONCILE);
    }

    /** How often idle hub topics are swept. The default is 1 minute. */
    public Duration sweep() {
        return get(SWEEP);
    }

    /** SQLite: how often the change log is pruned and optimized. The default is 10 minutes. */
    public Duration sqliteMaintenance() {
        return get(SQLITE_MAINTENANCE);
    }

    /** SQLite: changes the pruning keeps. The default is 1,000,000. */
    public int sqliteKeepChanges() {
        return get(SQLITE_KEEP_CHANGES);
    }

    /** Most HTTP worker threads. The default is 200. */
    public int httpThreads() {
        return get(HTTP_THREADS);
    }

    public int workPermits() {
        return get(WORK_PERMITS);
    }

    /** Socket send buffer of accepted connections, in bytes; 0: the OS default. The default is 128 KiB. */
    public int httpSendBuffer() {
        return get(HTTP_SEND_BUFFER);
    }

    /** HTTP connection idle timeout. The default is 60 seconds. */
    public Duration httpIdleTimeout() {
        return get(HTTP_IDLE_TIMEOUT);
    }

    /**
     * The most time a graceful stop takes, from SIGTERM to the process's exit: streams are told to
     * reconnect elsewhere and requests in progress finish within all of it but a reserve (a quarter,
     * at most 5 s) for closing capture and the store. The default is 20 seconds.
     */
    public Duration shutdownTimeout() {
        return get(SHUTDOWN_TIMEOUT);
    }

    /** PostgreSQL connection pool size. The default is 10. */
    public int pgPoolSize() {
        return get(PG_POOL_SIZE);
    }

    /** {@code node} (the default: capture and serve), {@code capture} (publish to the broker) or {@code edge} (serve from the broker). */
    public String role() {
        return get(ROLE);
    }

    /** NATS server URL(s) for the capture and edge roles (may carry credentials: never log it); none by default. */
    public Optional<String> broker() {
        return get(BROKER);
    }

    /** The JetStream stream of this database's changes. The default is {@code switchboard}. */
    public String brokerStream() {
        return get(BROKER_STREAM);
    }

    /** How long the stream keeps changes. The default is 24 hours. */
    public Duration brokerRetention() {
        return get(BROKER_RETENTION);
    }

    /** Most megabytes the stream keeps. The default is 10,240 (10 GiB). */
    public int brokerMaxMb() {
        return get(BROKER_MAX_MB);
    }

    /** Whether requests need a token. */
    public boolean open() {
        return demo || insecureOpen();
    }
}
