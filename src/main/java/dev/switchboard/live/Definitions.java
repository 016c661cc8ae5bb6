package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The dashboards this server serves, loaded from YAML and validated up front: a definition that
 * names an unknown dataset, field, window or function fails the start with the file, widget and
 * field in the message.
 */
public final class Definitions {
    /**
     * Most values one dashboard parameter may take ({@code max - min + 1}): every value a viewer
     * picks is a view of its own, so the parameter space is bounded where it is declared.
     */
    public static final long MAX_PARAM_VALUES = 10_000;
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private final Map<String, DashboardDef> byName;
    private final DatasetCatalog catalog;

    private Definitions(Map<String, DashboardDef> byName, DatasetCatalog catalog) {
        this.byName = byName;
        this.catalog = catalog;
    }

    /** Parses and validates; {@code sources} maps a source name (file) to its YAML text. */
    public static Definitions load(Map<String, String> sources, DatasetCatalog catalog) {
        Map<String, DashboardDef> out = new LinkedHashMap<>();
        for (var e : sources.entrySet()) {
            DashboardDef def = parse(e.getValue(), e.getKey());
            DashboardDef clash = out.put(def.name(), def);
            if (clash != null) {
                throw new IllegalArgumentException(e.getKey() + ": dashboard '" + def.name() + "' is also defined in " + clash.source());
            }
            Compiler.validate(def, catalog);
        }
        return new Definitions(out, catalog);
    }

    /** Reads every {@code *.yaml} / {@code *.yml} file of a folder. */
    public static Map<String, String> readFolder(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList()) {
                out.put(p.toString(), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboards from " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    static DashboardDef parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        String name = root.path("name").asString("");
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(source + ": 'name' must be lower_snake_case, was '" + name + "'");
        }
        String where = source + " (dashboard " + name + ")";
        ZoneId zone;
        try {
            zone = ZoneId.of(root.path("zone").asString("UTC"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": unknown zone '" + root.path("zone").asString() + "'");
        }
        Map<String, DashboardDef.Param> params = new LinkedHashMap<>();
        for (var p : root.path("params").properties()) {
            JsonNode n = p.getValue();
            if (!n.path("min").isIntegralNumber() || !n.path("max").isIntegralNumber()) {
                throw new IllegalArgumentException(where + ": param " + p.getKey() + " needs whole-number min and max"
                        + " (each value a viewer picks is a live view of its own), e.g. { default: 24, min: 1, max: 168 }");
            }
            var param = new DashboardDef.Param(n.path("default").asLong(0), n.path("min").asLong(), n.path("max").asLong());
            if (param.defaultValue() < param.min() || param.defaultValue() > param.max()) {
                throw new IllegalArgumentException(where + ": param " + p.getKey() + " default is outside min..max");
            }
            if (param.max() - param.min() + 1 > MAX_PARAM_VALUES || param.max() < param.min()) {
                throw new IllegalArgumentException(where + ": param " + p.getKey() + " spans " + param.min() + ".." + param.max()
                        + "; at most " + MAX_PARAM_VALUES + " values are allowed (each value a viewer picks is a live view of its own)");
            }
            params.put(p.getKey(), param);
        }
        DashboardDef.Range range = range(root.path("range"), where);
        if (range.declared() && params.containsKey(RANGE)) {
            throw new IllegalArgumentException(where + ": 'range' is the dashboard's period; a param may not be named range");
        }
        Map<String, JsonNode> scopes = new LinkedHashMap<>();
        root.path("scopes").properties().forEach(e -> scopes.put(e.getKey(), e.getValue()));
        Map<String, JsonNode> widgets = new LinkedHashMap<>();
        root.path("widgets").properties().forEach(e -> widgets.put(e.getKey(), e.getValue()));
        if (widgets.isEmpty()) {
            throw new IllegalArgumentException(where + ": 'widgets' is empty");
        }
        return new DashboardDef(name, root.path("title").asString(name), root.path("description").asString(""), zone,
                params, range, scopes, widgets, source, display(root, widgets, where));
    }

    /** The query parameter (and view key parameter) of a dashboard's period. */
    public static final String RANGE = "range";
    /** Longest custom range when a definition does not say. */
    static final java.time.Duration LONGEST = java.time.Duration.ofDays(366);

    /** {@code range: {default: 24h, presets: [1h, 24h, 7d, today], longest: 31d}}; NONE when absent. */
    private static DashboardDef.Range range(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return DashboardDef.Range.NONE;
        }
        String w = where + ", range";
        List<String> presets = new ArrayList<>();
        node.path("presets").forEach(p -> presets.add(p.asString("").trim()));
        if (presets.isEmpty()) {
            throw new IllegalArgumentException(w + ": 'presets' must list the windows offered, e.g. [1h, 24h, 7d, today, this_week]");
        }
        for (String p : presets) {
            Window win = Window.parse(p, w);
            if (!List.of(Window.Kind.TRAILING, Window.Kind.TODAY, Window.Kind.THIS_WEEK, Window.Kind.THIS_MONTH).contains(win.kind())) {
                throw new IllegalArgumentException(w + ": preset '" + p + "' must be a trailing or calendar window (24h, today, this_week, this_month)");
            }
        }
        String dflt = node.path("default").asString(presets.get(0)).trim();
        if (!presets.contains(dflt)) {
            throw new IllegalArgumentException(w + ": default '" + dflt + "' is not one of the presets " + presets);
        }
        java.time.Duration longest = LONGEST;
        if (node.has("longest")) {
            Window l = Window.parse(node.path("longest").asString(""), w + ", longest");
            if (l.kind() != Window.Kind.TRAILING) {
                throw new IllegalArgumentException(w + ": 'longest' must be a length such as 31d");
            }
            longest = l.span();
        }
        return new DashboardDef.Range(dflt, presets, longest);
    }

    /** Units a widget may declare besides free words such as {@code calls}: durations, rates, percent, money. */
    static final java.util.Set<String> DURATION_UNITS = java.util.Set.of("ms", "s", "min", "h", "d");

    /**
     * The presentation hints: {@code headline} (a stat widget), {@code currency} (ISO 4217), and
     * per widget {@code title}, {@code unit}, {@code period}, {@code units} (column to unit) and {@code keys}
     * (the columns a phone shows). The window is served beside them so a page can say the period.
     */
    static DashboardDef.Display display(JsonNode root, Map<String, JsonNode> widgets, String where) {
        String headline = root.path("headline").asString("");
        if (!headline.isEmpty() && !"stat".equals(widgets.containsKey(headline) ? DashboardDef.kind(widgets.get(headline)) : "")) {
            throw new IllegalArgumentException(where + ": headline '" + headline + "' must name a stat widget of this dashboard");
        }
        String currency = root.path("currency").asString("");
        if (!currency.isEmpty() && !currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException(where + ": currency must be an ISO 4217 code such as USD, was '" + currency + "'");
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        widgets.forEach((name, node) -> {
            String at = where + ", widget " + name;
            Map<String, Object> m = new LinkedHashMap<>();
            text(node, "unit", at).ifPresent(u -> m.put("unit", unit(u, currency, at)));
            text(node, "title", at).ifPresent(t -> m.put("title", t));
            text(node, "period", at).ifPresent(p -> m.put("period", p));
            text(node, "window", at).ifPresent(w -> m.put("window", w));
            if (node.has("units")) {
                if (!node.path("units").isObject()) {
                    throw new IllegalArgumentException(at + ": units must map column names to units, e.g. { average_duration: s }");
                }
                Map<String, String> units = new LinkedHashMap<>();
                node.path("units").properties().forEach(e -> units.put(e.getKey(), unit(e.getValue().asString(""), currency, at + ", units")));
                m.put("units", units);
            }
            if (node.has("keys")) {
                if (!node.path("keys").isArray()) {
                    throw new IllegalArgumentException(at + ": keys must list the columns a phone shows, e.g. [name, status]");
                }
                List<String> keys = new ArrayList<>();
                node.path("keys").forEach(k -> keys.add(k.asString("")));
                m.put("keys", keys);
            }
            out.put(name, m);
        });
        return new DashboardDef.Display(headline, currency, out);
    }

    private static Optional<String> text(JsonNode node, String field, String where) {
        if (!node.has(field)) {
            return Optional.empty();
        }
        if (!node.path(field).isValueNode() || node.path(field).asString("").isBlank()) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be a non-empty text");
        }
        return Optional.of(node.path(field).asString());
    }

    private static String unit(String unit, String currency, String where) {
        if (unit.isBlank() || unit.length() > 24) {
            throw new IllegalArgumentException(where + ": a unit must be 1 to 24 characters (s, min, %, /s, currency, or a word), was '" + unit + "'");
        }
        if (unit.equals("currency") && currency.isEmpty()) {
            throw new IllegalArgumentException(where + ": unit 'currency' needs the dashboard's currency (currency: USD)");
        }
        return unit;
    }

    public Optional<DashboardDef> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<DashboardDef> all() {
        return byName.values();
    }

    /**
     * The key of a view, from request parameters: scope, sub and the dashboard's params.
     *
     * @throws IllegalArgumentException with a message fit for the person who sent the request
     */
    public ViewKey key(DashboardDef def, String tenant, String scope, String subject, Map<String, String> query) {
        if (!scope.isEmpty() && !def.scopes().containsKey(scope)) {
            throw new IllegalArgumentException("dashboard " + def.name() + " has no scope '" + scope + "'"
                    + (def.scopes().isEmpty() ? "" : "; it has " + String.join(", ", def.scopes().keySet())));
        }
        boolean bySubject = !scope.isEmpty() && def.scopes().get(scope).toString().contains("${sub}");
        if (bySubject && subject.isEmpty()) {
            throw new IllegalArgumentException("scope '" + scope + "' needs a subject (sub)");
        }
        TreeMap<String, Object> params = new TreeMap<>();
        if (def.range().declared()) {
            params.put(RANGE, range(def, query));
        }
        def.params().forEach((name, p) -> {
            String raw = query.get(name);
            long v;
            try {
                v = raw == null || raw.isEmpty() ? p.defaultValue() : Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, got '" + raw + "'");
            }
            if (v < p.min() || v > p.max()) {
                throw new IllegalArgumentException(name + " must be between " + p.min() + " and " + p.max() + ", got " + v);
            }
            params.put(name, v);
        });
        // a scope that does not name its subject is the same slice for everyone: one shared view
        return new ViewKey(def.name(), tenant, scope, bySubject ? subject : "", params);
    }

    /**
     * The range a request asks for, in its canonical form: {@code ?range=<preset>}, {@code
     * ?range=<from>..<to>} or {@code ?from=<instant>&to=<instant>} (a custom range, at most the
     * definition's {@code longest}), {@code ?range=<n>h} or {@code ?hours=<n>} (a trailing window of
     * whole hours, written as the preset of equal length when there is one); the default otherwise.
     */
    static String range(DashboardDef def, Map<String, String> query) {
        DashboardDef.Range r = def.range();
        String raw = query.getOrDefault(RANGE, "").trim();
        String from = query.getOrDefault("from", "").trim();
        String to = query.getOrDefault("to", "").trim();
        String expected = "range must be one of " + String.join(", ", r.presets()) + ", a number of hours such as 36h (at most "
                + r.longest().toHours() + "), or a custom range from..to of ISO-8601 instants at most " + days(r.longest()) + " apart";
        if (!from.isEmpty() || !to.isEmpty()) {
            if (from.isEmpty() || to.isEmpty() || !(raw.isEmpty() || raw.equals("custom"))) {
                throw new IllegalArgumentException("a custom range needs both from and to (ISO-8601 instants such as 2026-11-01T00:00:00Z)"
                        + " and no other range; got from='" + from + "', to='" + to + "', range='" + raw + "'");
            }
            raw = from + Window.RANGE_SEPARATOR + to;
        }
        String hours = def.params().containsKey("hours") ? "" : query.getOrDefault("hours", "").trim();
        if (raw.isEmpty() && !hours.isEmpty()) {
            long h;
            try {
                h = Long.parseLong(hours);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("hours must be a whole number, got '" + hours + "'");
            }
            if (h < 1 || h > r.longest().toHours()) {
                throw new IllegalArgumentException("hours must be between 1 and " + r.longest().toHours() + ", got " + h);
            }
            raw = h + "h";
        }
        if (raw.isEmpty()) {
            return r.defaultValue();
        }
        if (r.presets().contains(raw)) {
            return raw;
        }
        Window w;
        try {
            w = Window.parse(raw, RANGE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(raw.contains(Window.RANGE_SEPARATOR) ? e.getMessage() : expected + "; got '" + raw + "'");
        }
        if (w.kind() == Window.Kind.FIXED) {
            if (w.span().compareTo(r.longest()) > 0) {
                throw new IllegalArgumentException("a custom range may span at most " + days(r.longest()) + "; " + raw + " spans "
                        + days(w.span()));
            }
            if (w.from() < MIN_INSTANT || w.to() > MAX_INSTANT) {
                throw new IllegalArgumentException("a custom range must lie between 1970 and 9999; got " + raw);
            }
            return w.spec();
        }
        if (w.kind() == Window.Kind.TRAILING && raw.endsWith("h") && w.span().compareTo(r.longest()) <= 0) {
            for (String p : r.presets()) {
                Window pw = Window.parse(p, RANGE);
                if (pw.kind() == Window.Kind.TRAILING && pw.span().equals(w.span())) {
                    return p; // one view for 168h and 7d
                }
            }
            return w.span().toHours() + "h";
        }
        throw new IllegalArgumentException(expected + "; got '" + raw + "'");
    }

    private static final long MIN_INSTANT = 0;
    private static final long MAX_INSTANT = java.time.Instant.parse("9999-01-01T00:00:00Z").toEpochMilli();

    private static String days(java.time.Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() + " hours";
    }

    /**
     * The rows of {@code dataset} that a viewer confined to {@code scope} of {@code subject} may
     * see: the scope's filter for that dataset (with {@code ${sub}} filled in) in every dashboard
     * that defines the scope and reads the dataset, all of them at once (a row must pass each, so
     * a viewer never sees more of a dataset than any one dashboard shows it). Empty when no
     * dashboard's scope covers the dataset: such a viewer may not see its rows at all.
     */
    public Optional<Predicate<Row>> rows(String dataset, String scope, String subject) {
        Dataset ds = catalog.find(dataset).orElseThrow(() -> new IllegalArgumentException("unknown dataset '" + dataset + "'"));
        Filter all = null;
        for (DashboardDef def : byName.values()) {
            JsonNode node = def.scopes().get(scope);
            if (node == null || !def.datasets().contains(dataset)) {
                continue;
            }
            boolean perDataset = node.properties().stream().anyMatch(p -> catalog.find(p.getKey()).isPresent());
            if (perDataset && !node.has(dataset)) {
                continue;
            }
            String where = def.source() + " (dashboard " + def.name() + "), scope " + scope;
            Filter f = Filter.parse(perDataset ? node.path(dataset) : node, ds, s -> s.replace("${sub}", subject), where);
            all = all == null ? f : new Filter.Junction("AND", List.of(all, f));
        }
        if (all == null) {
            return Optional.empty();
        }
        Filter f = all;
        return Optional.of(f::test);
    }

}
