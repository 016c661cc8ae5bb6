package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A light structural check of the built-in dashboards against docs/DASHBOARDS.md: they name only
 * their pack's datasets and those datasets' columns. The live engine does the full validation.
 */
class DashboardDefinitionsTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Set<String> KINDS = Set.of("list", "table", "series", "breakdown", "sample");
    private static final Map<String, Set<String>> KEYS = Map.of(
            "stat", Set.of("stat", "field", "numerator", "alert", "compare"),
            "breakdown", Set.of("breakdown", "stat"),
            "series", Set.of("series", "bucket"),
            "table", Set.of("table", "columns", "order", "limit", "label"),
            "list", Set.of("list", "order", "limit", "fields"),
            "sample", Set.of("sample", "every", "points"));
    private static final Set<String> COMMON = Set.of("dataset", "where", "window", "only");
    /** Presentation keys any widget may carry (served as {@code display}; the engine ignores them). */
    private static final Set<String> DISPLAY = Set.of("unit", "period", "units", "keys", "title");
    private static final Pattern WINDOW = Pattern.compile("\\d+[smhdw]|today|this_week|this_month|upcoming|past|\\$\\{(\\w+)}[smhdw]|\\$\\{range}");
    private static final Pattern EXPR = Pattern.compile("(\\w+)(?:\\((.*)\\))?");
    private static final Pattern CONDITION = Pattern.compile("\\s*(\\w+)\\s*(?:=|\\s+in\\s+)\\s*(.+?)\\s*");
    private static final Set<String> OPERATORS = Set.of("in", "gt", "gte", "lt", "lte", "ne", "eq", "null");

    @Test
    void everyPack_hasAtLeastOneDashboard_withAUniqueNameMatchingItsFile() {
        Set<String> names = new HashSet<>();
        for (String pack : PackFiles.packs()) {
            assertThat(PackFiles.dashboards(pack)).as(pack).isNotEmpty();
            for (Path file : PackFiles.dashboards(pack)) {
                String name = read(file).path("name").asString();
                assertThat(name).as(file.toString()).matches("[a-z][a-z0-9_]*")
                        .isEqualTo(file.getFileName().toString().replace(".yaml", ""));
                assertThat(names.add(name)).as("dashboard name " + name + " is unique").isTrue();
            }
        }
    }

    @Test
    void everyWidget_namesOnlyDeclaredDatasetsAndColumns() {
        for (String pack : PackFiles.packs()) {
            Map<String, Dataset> datasets = new LinkedHashMap<>();
            PackFiles.datasets(pack).forEach(d -> datasets.put(d.name(), d));
            for (Path file : PackFiles.dashboards(pack)) {
                checkDashboard(read(file), datasets, pack + "/" + file.getFileName());
            }
        }
    }

    private static void checkDashboard(JsonNode root, Map<String, Dataset> datasets, String where) {
        assertThat(root.propertyNames()).as(where).isSubsetOf("name", "title", "description", "zone", "params", "range", "headline", "currency", "scopes", "widgets");
        assertThat(root.path("widgets").isObject()).as(where + " widgets").isTrue();
        Set<String> params = new HashSet<>(root.path("params").propertyNames());
        if (root.has("range")) {
            params.add("range");
        }
        Set<Dataset> used = new HashSet<>();
        for (var w : root.path("widgets").properties()) {
            String at = where + " widget " + w.getKey();
            assertThat(w.getKey()).as(at).matches("[a-z][a-z0-9_]*");
            if (w.getValue().has("sample")) {
                JsonNode source = root.path("widgets").path(w.getValue().path("sample").asString());
                assertThat(source.isObject() && source.has("stat")).as(at + " samples a stat widget").isTrue();
                assertThat(w.getValue().path("every").asString()).as(at + " every").matches("[1-9]\\d*[smh]");
                Set<String> sampleKeys = new HashSet<>(KEYS.get("sample"));
                sampleKeys.addAll(DISPLAY);
                assertThat(w.getValue().propertyNames()).as(at + " keys").isSubsetOf(sampleKeys);
                continue;
            }
            used.add(checkWidget(w.getValue(), datasets, params, at));
            for (var only : w.getValue().path("only").properties()) {
                assertColumn(used.stream().filter(d -> d.name().equals(w.getValue().path("dataset").asString())).findFirst().orElseThrow(),
                        only.getKey(), at + " only");
                Dataset other = datasets.get(only.getValue().path("dataset").asString());
                assertThat(other).as(at + " only dataset").isNotNull();
                used.add(other);
                if (only.getValue().has("where")) {
                    checkFilter(only.getValue().path("where"), other, at + " only where", false);
                }
            }
        }
        // A scope filters every widget of its dashboard, so each dataset needs the scope's columns
        // (a scope keyed by dataset names gives each dataset its own filter).
        for (var scope : root.path("scopes").properties()) {
            boolean perDataset = scope.getValue().propertyNames().stream().anyMatch(datasets::containsKey);
            for (Dataset d : used) {
                JsonNode filter = perDataset ? scope.getValue().path(d.name()) : scope.getValue();
                assertThat(filter.isObject()).as(where + " scope " + scope.getKey() + " covers " + d.name()).isTrue();
                checkFilter(filter, d, where + " scope " + scope.getKey(), true);
            }
        }
    }

    private static Dataset checkWidget(JsonNode w, Map<String, Dataset> datasets, Set<String> params, String at) {
        List<String> kinds = w.propertyNames().stream().filter(KINDS::contains).toList();
        assertThat(kinds.size()).as(at + " has one kind of " + KINDS + " or is a stat").isLessThanOrEqualTo(1);
        String kind = kinds.isEmpty() ? "stat" : kinds.getFirst();
        Set<String> allowed = new HashSet<>(COMMON);
        allowed.addAll(KEYS.get(kind));
        allowed.addAll(DISPLAY);
        assertThat(w.propertyNames()).as(at + " keys").isSubsetOf(allowed);
        String name = kind.equals("list") ? w.path("list").asString() : w.path("dataset").asString();
        assertThat(datasets).as(at + " dataset").containsKey(name);
        Dataset d = datasets.get(name);
        if (w.has("window")) {
            Matcher m = WINDOW.matcher(w.path("window").asString());
            assertThat(m.matches()).as(at + " window " + w.path("window")).isTrue();
            if (m.group(1) == null && w.path("window").asString().equals("${range}")) {
                assertThat(params).as(at + " window ${range} needs the dashboard's range").contains("range");
            } else if (m.group(1) != null) {
                assertThat(params).as(at + " window param").contains(m.group(1));
            }
        }
        if (w.has("where")) {
            checkFilter(w.path("where"), d, at + " where", false);
        }
        switch (kind) {
            case "stat" -> checkStat(w, d, at);
            case "breakdown" -> {
                assertField(d, w.path("breakdown").asString(), at);
                if (w.has("stat")) {
                    checkExpr(w.path("stat").asString(), d, at);
                }
            }
            case "series" -> {
                checkExpr(w.path("series").asString(), d, at);
                assertThat(w.path("bucket").asString()).as(at + " bucket").matches("\\d+[smhd]");
            }
            case "table" -> {
                assertField(d, w.path("table").asString(), at);
                if (w.has("label")) {
                    assertField(d, w.path("label").asString(), at + " label");
                }
                assertThat(w.path("columns").isObject()).as(at + " columns").isTrue();
                w.path("columns").properties().forEach(c -> checkExpr(c.getValue().asString(), d, at + " column " + c.getKey()));
                if (w.has("order")) {
                    assertThat(w.path("columns").propertyNames()).as(at + " order").contains(orderField(w, at));
                }
            }
            default -> {
                if (w.has("order")) {
                    assertColumn(d, orderField(w, at), at + " order");
                }
                w.path("fields").forEach(f -> assertField(d, f.asString(), at + " fields"));
            }
        }
        return d;
    }

    private static void checkStat(JsonNode w, Dataset d, String at) {
        String fn = w.path("stat").asString();
        assertThat(fn).as(at + " stat").isIn("count", "sum", "avg", "min", "max", "distinct", "ratio", "rate");
        if (Set.of("sum", "avg", "min", "max", "distinct").contains(fn)) {
            assertColumn(d, w.path("field").asString(), at + " field");
            if (!fn.equals("distinct")) {
                assertNumeric(d, w.path("field").asString(), at);
            }
        }
        if (fn.equals("ratio")) {
            checkFilter(w.path("numerator"), d, at + " numerator", false);
        }
        if (fn.equals("rate")) {
            assertThat(w.path("window").asString()).as(at + " rate window").matches("\\d+[smhdw]");
        }
    }

    private static String orderField(JsonNode w, String at) {
        String[] parts = w.path("order").asString().trim().split("\\s+");
        assertThat(parts.length == 1 || parts.length == 2 && Set.of("asc", "desc").contains(parts[1])).as(at + " order").isTrue();
        return parts[0];
    }

    private static void checkExpr(String text, Dataset d, String at) {
        Matcher m = EXPR.matcher(text.trim());
        assertThat(m.matches()).as(at + " expression " + text).isTrue();
        String fn = m.group(1);
        String arg = m.group(2) == null ? "" : m.group(2).trim();
        assertThat(fn).as(at + " function").isIn("count", "rate", "sum", "avg", "min", "max", "distinct", "ratio");
        if (fn.equals("count") || fn.equals("ratio") || fn.equals("rate")) {
            if (!arg.isEmpty() || fn.equals("ratio")) {
                Matcher c = CONDITION.matcher(arg);
                assertThat(c.matches()).as(at + " condition " + arg).isTrue();
                assertColumn(d, c.group(1), at);
            }
        } else {
            assertColumn(d, arg, at);
            if (!fn.equals("distinct")) {
                assertNumeric(d, arg, at);
            }
        }
    }

    private static void checkFilter(JsonNode filter, Dataset d, String at, boolean scope) {
        assertThat(filter.isObject()).as(at + " is an object").isTrue();
        for (var e : filter.properties()) {
            switch (e.getKey()) {
                case "and", "or" -> e.getValue().forEach(f -> checkFilter(f, d, at, scope));
                case "not" -> checkFilter(e.getValue(), d, at, scope);
                default -> {
                    assertColumn(d, e.getKey(), at);
                    JsonNode v = e.getValue();
                    if (v.isObject()) {
                        assertThat(v.propertyNames()).as(at + " operators of " + e.getKey()).isSubsetOf(OPERATORS);
                    }
                    boolean substituted = v.toString().contains("${");
                    assertThat(substituted).as(at + ": ${sub} belongs in scopes only").isEqualTo(scope && substituted);
                }
            }
        }
    }

    /**
     * A column of {@code d}, or a field through its lookups ({@code campaign.name}, {@code agent.team}):
     * each step a lookup the dataset declares, the last a column of the dataset it reaches.
     */
    private static void assertField(Dataset d, String field, String at) {
        String[] parts = field.split("\\.");
        Dataset at0 = d;
        for (int i = 0; i < parts.length - 1; i++) {
            assertThat(at0.lookups()).as(at + ": lookup '" + parts[i] + "' of " + at0.name()).containsKey(parts[i]);
            String target = at0.lookups().get(parts[i]).dataset();
            at0 = PackFiles.allDatasets().stream().filter(x -> x.name().equals(target)).findFirst().orElseThrow();
        }
        assertColumn(at0, parts[parts.length - 1], at);
    }

    private static void assertColumn(Dataset d, String column, String at) {
        assertThat(d.columnNames()).as(at + ": column of " + d.name()).contains(column);
    }

    private static void assertNumeric(Dataset d, String column, String at) {
        assertThat(d.column(column).orElseThrow().type()).as(at + ": " + column + " is numeric")
                .isIn(ColumnType.INTEGER, ColumnType.NUMBER);
    }

    private static JsonNode read(Path file) {
        return YAML.readTree(PackFiles.read(file));
    }
}
