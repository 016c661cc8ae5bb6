package dev.switchboard.live;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Compiles a definition for one view key into widgets over shared row sets. */
final class Compiler {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
    private static final Pattern ORDER = Pattern.compile("(\\w+)(?:\\s+(asc|desc))?");
    static final int MAX_LIMIT = 1000;

    private final DashboardDef def;
    private final ViewKey key;
    private final DatasetCatalog catalog;
    private final UnaryOperator<String> substitute;
    private final Map<String, RowSet> sets = new LinkedHashMap<>();
    private final Lookups lookups;
    /** The view's time zone: its tenant's, or the dashboard's. */
    private final java.time.ZoneId zone;
    private final Map<String, Members> members = new LinkedHashMap<>();
    /** Per dataset read, the text equality every use of it requires (see {@link View#routes}); empty once one use has none. */
    private final Map<String, java.util.Optional<Filter.Compare>> routes = new LinkedHashMap<>();

    private Compiler(DashboardDef def, ViewKey key, DatasetCatalog catalog, java.time.ZoneId zone) {
        this.zone = zone;
        this.lookups = new Lookups(key.tenant());
        this.def = def;
        this.key = key;
        this.catalog = catalog;
        this.substitute = s -> {
            Matcher m = PLACEHOLDER.matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                // a key made in code without a param or range (not by Definitions.key) takes the definition's default
                Object param = key.params().containsKey(name) ? key.params().get(name) : defaults(def).get(name);
                String v = name.equals("sub") ? key.subject() : param == null ? null : String.valueOf(param);
                if (v == null) {
                    throw new IllegalArgumentException(def.source() + ": unknown placeholder ${" + name + "} (params: " + def.params().keySet()
                            + (def.range().declared() ? ", range" : "") + ", or sub in scopes)");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(v));
            }
            return m.appendTail(out).toString();
        };
    }

    /** Compiles with default parameters and every scope, so errors surface at start. */
    static void validate(DashboardDef def, DatasetCatalog catalog) {
        ViewKey base = new ViewKey(def.name(), "validate", "", "", defaults(def));
        compile(def, base, catalog);
        for (String scope : def.scopes().keySet()) {
            compile(def, new ViewKey(def.name(), "validate", scope, "subject", base.params()), catalog);
        }
        if (def.range().declared()) {
            // every range a viewer may pick must compile (e.g. a series' bucket count over the longest range)
            java.time.Instant end = java.time.Instant.parse("2026-01-01T00:00:00Z");
            List<String> ranges = new ArrayList<>(def.range().presets());
            ranges.add(end.minus(def.range().longest()) + Window.RANGE_SEPARATOR + end);
            ranges.add(def.range().longest().toHours() + "h");
            for (String r : ranges) {
                compile(def, base.withRange(r), catalog);
            }
            if (def.widgets().values().stream().noneMatch(w -> w.path("window").asString("").contains("${" + Definitions.RANGE + "}"))) {
                throw new IllegalArgumentException(def.source() + ": 'range' is declared but no widget's window is \"${range}\"");
            }
        }
    }

    private static java.util.TreeMap<String, Object> defaults(DashboardDef def) {
        java.util.TreeMap<String, Object> p = new java.util.TreeMap<>();
        def.params().forEach((n, v) -> p.put(n, v.defaultValue()));
        if (def.range().declared()) {
            p.put(Definitions.RANGE, def.range().defaultValue());
        }
        return p;
    }

    static View compile(DashboardDef def, ViewKey key, DatasetCatalog catalog) {
        return compile(def, key, catalog, def.zone());
    }

    /** Compiles for {@code zone} (calendar windows, day and hour buckets) instead of the dashboard's own zone. */
    static View compile(DashboardDef def, ViewKey key, DatasetCatalog catalog, java.time.ZoneId zone) {
        return new Compiler(def, key, catalog, zone).build();
    }

    private View build() {
        Map<String, Widget> widgets = new LinkedHashMap<>();
        List<Alerts.Rule> alertRules = new ArrayList<>();
        Map<String, List<String>> byDataset = new LinkedHashMap<>();
        Map<String, JsonNode> samples = new LinkedHashMap<>();
        for (var e : def.widgets().entrySet()) {
            String where = def.source() + ": widget " + e.getKey();
            JsonNode node = e.getValue();
            if (DashboardDef.kind(node).equals("sample")) {
                samples.put(e.getKey(), node);
                widgets.put(e.getKey(), null); // keeps definition order; filled in below
                continue;
            }
            Dataset dataset = dataset(node, where);
            Filter scope = scopeFilter(dataset, where);
            if (scope == null) {
                continue; // this scope does not cover the widget's dataset: the viewer does not see it
            }
            Filter filter = new Filter.Compare(dataset.tenant(), "=", key.tenant())
                    .and(Filter.parse(node.path("where"), dataset, substitute, where))
                    .and(scope);
            route(dataset.name(), scope);
            Window window = Window.parse(substitute.apply(node.path("window").asString("")), where);
            java.util.Optional<Members> only = only(node, dataset, where);
            if (node.has("only") && only.isEmpty()) {
                continue; // the scope does not cover the dataset that decides membership
            }
            widgets.put(e.getKey(), widget(e.getKey(), node, dataset, filter, window, only, where));
            if (def.compared().containsKey(e.getKey()) && window.hasPrevious()) {
                // the same stat over the period before: a row set of its own whose bounds move as the window's
                widgets.put(DashboardDef.previousOf(e.getKey()), widget(DashboardDef.previousOf(e.getKey()), node, dataset, filter,
                        window.previous(), only, where));
            }
            Alerts.parse(e.getKey(), node, where).ifPresent(r -> {
                if (!DashboardDef.kind(node).equals("stat")) {
                    throw new IllegalArgumentException(where + ": alerts are declared on stat widgets");
                }
                alertRules.add(r);
            });
            byDataset.computeIfAbsent(dataset.name(), k -> new ArrayList<>()).add(e.getKey());
            only.ifPresent(m -> byDataset.computeIfAbsent(m.dataset(), k -> new ArrayList<>()).add(e.getKey()));
        }
        samples.forEach((name, node) -> {
            Widget w = sample(name, node, widgets);
            if (w == null) {
                widgets.remove(name);
            } else {
                widgets.put(name, w);
            }
        });
        // widgets showing fields through lookups read the dimension datasets too: their changes reach the view
        lookups.datasets().forEach(d -> byDataset.computeIfAbsent(d, k -> new ArrayList<>()));
        lookups.datasets().forEach(d -> routes.put(d, java.util.Optional.empty())); // dimension rows are the tenant's, unscoped
        Map<String, Filter.Compare> routed = new LinkedHashMap<>();
        routes.forEach((d, r) -> r.ifPresent(c -> routed.put(d, c)));
        return new View(key, def, widgets, List.copyOf(sets.values()), byDataset, lookups,
                alertRules.isEmpty() ? Alerts.NONE : new Alerts(alertRules), routed);
    }

    /**
     * {@code sample: <stat widget>, every: 5s, points: 20}: that stat's value over time. Null when
     * the scope leaves the stat out (the viewer does not see its sample either).
     */
    private Widget sample(String name, JsonNode node, Map<String, Widget> widgets) {
        String where = def.source() + ": widget " + name;
        String source = node.path("sample").asString("");
        JsonNode sourceNode = def.widgets().get(source);
        if (sourceNode == null || !DashboardDef.kind(sourceNode).equals("stat")) {
            throw new IllegalArgumentException(where + ": 'sample' must name a stat widget of this dashboard, got '" + source + "'");
        }
        Matcher m = Pattern.compile("(\\d+)([smh])").matcher(node.path("every").asString("").trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(where + ": 'every' must look like 5s, 1m or 1h, got '" + node.path("every").asString("") + "'");
        }
        int points = node.path("points").asInt(20);
        if (points < 1 || points > MAX_LIMIT) {
            throw new IllegalArgumentException(where + ": 'points' must be between 1 and " + MAX_LIMIT);
        }
        Widget stat = widgets.get(source);
        return stat == null ? null : new SampleWidget(name, stat, Window.duration(Long.parseLong(m.group(1)), m.group(2)), points);
    }

    /**
     * A widget's {@code only: {<field>: {dataset: <other>, where: {...}}}}: its rows count where the
     * field holds the key of a row of the other dataset that matches (tenant and scope applied).
     * Empty when the widget has none, or when the scope leaves the other dataset out.
     */
    private java.util.Optional<Members> only(JsonNode node, Dataset dataset, String where) {
        JsonNode only = node.path("only");
        if (only.isMissingNode()) {
            return java.util.Optional.empty();
        }
        if (!only.isObject() || only.size() != 1) {
            throw new IllegalArgumentException(where + ": 'only' must name one field: {campaign_id: {dataset: campaigns, where: {...}}}");
        }
        var entry = only.properties().iterator().next();
        String field = field(dataset, entry.getKey(), where + ", only");
        String otherName = entry.getValue().path("dataset").asString("");
        Dataset other = catalog.find(otherName).orElseThrow(() -> new IllegalArgumentException(
                where + ", only: unknown dataset '" + otherName + "'"));
        Filter scope = scopeFilter(other, where + ", only");
        if (scope == null) {
            return java.util.Optional.empty();
        }
        Filter filter = new Filter.Compare(other.tenant(), "=", key.tenant())
                .and(Filter.parse(entry.getValue().path("where"), other, substitute, where + ", only"))
                .and(scope);
        route(other.name(), scope);
        return java.util.Optional.of(members.computeIfAbsent(field + "|" + RowSet.shareKey(other, filter, Window.NONE),
                k -> new Members(field, rows(other, filter, Window.NONE))));
    }

    private Dataset dataset(JsonNode node, String where) {
        String name = node.has("list") ? node.path("list").asString() : node.path("dataset").asString("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(where + ": 'dataset' is required");
        }
        return catalog.find(name).orElseThrow(() -> new IllegalArgumentException(where + ": unknown dataset '" + name + "'"));
    }

    /** One more use of {@code dataset} restricted by {@code scope}: its route holds while every use requires the same equality. */
    private void route(String dataset, Filter scope) {
        java.util.Optional<Filter.Compare> mine = scope.textEquality();
        routes.merge(dataset, mine, (a, b) -> a.equals(b) ? a : java.util.Optional.empty());
    }

    /** The scope's filter for this dataset; ALL without a scope; null when the scope leaves the dataset out. */
    private Filter scopeFilter(Dataset dataset, String where) {
        if (key.scope().isEmpty()) {
            return Filter.ALL;
        }
        JsonNode scope = def.scopes().get(key.scope());
        boolean perDataset = scope.properties().stream().anyMatch(p -> catalog.find(p.getKey()).isPresent());
        if (perDataset) {
            JsonNode node = scope.path(dataset.name());
            return node.isMissingNode() ? null : Filter.parse(node, dataset, substitute, where + ", scope " + key.scope());
        }
        return Filter.parse(scope, dataset, substitute, where + ", scope " + key.scope());
    }

    private RowSet rows(Dataset dataset, Filter filter, Window window) {
        return sets.computeIfAbsent(RowSet.shareKey(dataset, filter, window), k -> new RowSet(dataset, filter, window, zone));
    }

    private Widget widget(String name, JsonNode node, Dataset dataset, Filter filter, Window window, java.util.Optional<Members> only,
                          String where) {
        String kind = DashboardDef.kind(node);
        if (only.isPresent() && !kind.equals("stat") && !kind.equals("table")) {
            throw new IllegalArgumentException(where + ": 'only' applies to stats and tables");
        }
        return switch (kind) {
            case "stat" -> {
                String fn = node.path("stat").asString();
                if (fn.equals("rate") && window.kind() != Window.Kind.TRAILING && window.kind() != Window.Kind.FIXED) {
                    throw new IllegalArgumentException(where + ": a rate needs a trailing window such as 1m (or a custom range)");
                }
                Filter numerator = fn.equals("ratio") ? Filter.parse(node.path("numerator"), dataset, substitute, where + ", numerator") : Filter.ALL;
                if (fn.equals("ratio") && numerator == Filter.ALL) {
                    throw new IllegalArgumentException(where + ": a ratio needs a 'numerator' filter");
                }
                Expr expr = Expr.of(fn, node.path("field").asString(""), numerator, dataset, where);
                if (only.isPresent()) {
                    if (!List.of("count", "sum", "rate").contains(fn)) {
                        throw new IllegalArgumentException(where + ": 'only' works with count, sum and rate stats (they add up per key)");
                    }
                    yield new MemberStat(name, expr, rows(dataset, filter, window), only.get(), zone);
                }
                yield new StatWidget(name, expr, rows(dataset, filter, window), zone);
            }
            case "breakdown" -> {
                Lookups.Path field = path(dataset, node.path("breakdown").asString(), where);
                Expr expr = notRate(Expr.parse(node.path("stat").asString("count"), dataset, where), where);
                yield new GroupWidget(name, field, lookups, Map.of("value", expr), false, "value", true, Integer.MAX_VALUE,
                        rows(dataset, filter, window), zone);
            }
            case "series" -> {
                if (window.kind() != Window.Kind.TRAILING && window.kind() != Window.Kind.TODAY && window.kind() != Window.Kind.FIXED
                        && window.kind() != Window.Kind.THIS_WEEK && window.kind() != Window.Kind.THIS_MONTH) {
                    throw new IllegalArgumentException(where + ": a series needs a trailing or calendar window, or a custom range");
                }
                Duration bucket = bucket(node.path("bucket").asString(""), where);
                if (window.span().dividedBy(bucket) > 5000) {
                    throw new IllegalArgumentException(where + ": more than 5000 buckets over window " + window.spec() + "; use a larger bucket (or a shorter range)");
                }
                Expr expr = notRate(Expr.parse(node.path("series").asString("count"), dataset, where), where);
                yield new SeriesWidget(name, expr, bucket, rows(dataset, filter, window), zone);
            }
            case "table" -> table(name, node, dataset, filter, window, only, where);
            case "list" -> {
                Matcher m = order(node.path("order").asString(dataset.time() + " desc"), dataset, where);
                List<Lookups.Path> fields = new ArrayList<>();
                node.path("fields").forEach(f -> fields.add(path(dataset, f.asString(), where)));
                yield new ListWidget(name, dataset, filter, window, zone, m.group(1), !"asc".equals(m.group(2)),
                        limit(node, 10, where), fields, lookups);
            }
            default -> throw new IllegalArgumentException(where + ": unknown widget kind; expected one of stat, breakdown, series, table, list, sample");
        };
    }

    private Widget table(String name, JsonNode node, Dataset dataset, Filter filter, Window window, java.util.Optional<Members> only,
                         String where) {
        Lookups.Path field = path(dataset, node.path("table").asString(), where);
        Map<String, Expr> columns = new LinkedHashMap<>();
        node.path("columns").properties().forEach(c -> columns.put(c.getKey(), Expr.parse(c.getValue().asString(), dataset, where + ", column " + c.getKey())));
        if (columns.isEmpty()) {
            throw new IllegalArgumentException(where + ": a table needs 'columns'");
        }
        if (columns.values().stream().anyMatch(e -> e.fn().equals("rate")) && window.kind() != Window.Kind.TRAILING
                && window.kind() != Window.Kind.FIXED) {
            throw new IllegalArgumentException(where + ": a rate column needs a trailing window such as 1m");
        }
        if (only.isPresent() && !(field.direct() && only.get().field.equals(field.field()))) {
            throw new IllegalArgumentException(where + ": a table's 'only' must restrict its grouped field " + field);
        }
        String first = columns.keySet().iterator().next();
        Matcher m = ORDER.matcher(node.path("order").asString(first + " desc").trim());
        if (!m.matches() || !columns.containsKey(m.group(1))) {
            throw new IllegalArgumentException(where + ": 'order' must name a column (" + columns.keySet() + ") and asc|desc");
        }
        java.util.Optional<Lookups.Path> label = java.util.Optional.empty();
        if (node.has("label")) {
            Lookups.Path l = path(dataset, node.path("label").asString(), where + ", label");
            if (l.direct() || !field.direct() || !l.column().equals(field.field())) {
                throw new IllegalArgumentException(where + ": 'label' must be a field through a lookup on the grouped column "
                        + field.text() + ", e.g. campaign.name for campaign_id");
            }
            label = java.util.Optional.of(l);
        }
        return new GroupWidget(name, field, label, lookups, columns, true, m.group(1), !"asc".equals(m.group(2)), limit(node, 100, where),
                rows(dataset, filter, window), zone, only);
    }

    private static Expr notRate(Expr e, String where) {
        if (e.fn().equals("rate")) {
            throw new IllegalArgumentException(where + ": rate is for stats and table columns over a trailing window");
        }
        return e;
    }

    private static Matcher order(String spec, Dataset dataset, String where) {
        Matcher m = ORDER.matcher(spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": 'order' must look like 'started_at desc', got '" + spec + "'");
        }
        field(dataset, m.group(1), where);
        return m;
    }

    private static int limit(JsonNode node, int dflt, String where) {
        int limit = node.path("limit").asInt(dflt);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException(where + ": 'limit' must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    /** A column of {@code dataset} or a field through its lookups ({@code campaign.name}); the view then holds the dimension rows. */
    private Lookups.Path path(Dataset dataset, String text, String where) {
        Lookups.Path p = Lookups.path(dataset, text, catalog, where);
        lookups.need(p);
        return p;
    }

    private static String field(Dataset dataset, String field, String where) {
        if (dataset.column(field).isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown field '" + field + "' in dataset " + dataset.name());
        }
        return field;
    }

    private static Duration bucket(String spec, String where) {
        Matcher m = Pattern.compile("(\\d+)([mhdw])").matcher(spec.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(where + ": 'bucket' must look like 5m, 1h or 1d, got '" + spec + "'");
        }
        Duration d = Window.duration(Long.parseLong(m.group(1)), m.group(2));
        if (d.toMillis() >= 86_400_000L && d.toMillis() % 86_400_000L != 0 || d.toMillis() < 86_400_000L && 86_400_000L % d.toMillis() != 0) {
            throw new IllegalArgumentException(where + ": 'bucket' must divide a day or be whole days, got '" + spec + "'");
        }
        return d;
    }
}
