package dev.switchboard.live;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A parsed dashboard definition. Widgets stay as their YAML nodes because parameters and scopes
 * are substituted per view; {@link Definitions} compiles each once at load to validate it.
 *
 * @param source the file it came from, for error messages
 */
public record DashboardDef(String name, String title, String description, ZoneId zone, Map<String, Param> params,
                           Map<String, JsonNode> scopes, Map<String, JsonNode> widgets, String source, Display display) {

    /** A definition without presentation hints (no headline, no currency, no units). */
    public DashboardDef(String name, String title, String description, ZoneId zone, Map<String, Param> params,
                        Map<String, JsonNode> scopes, Map<String, JsonNode> widgets, String source) {
        this(name, title, description, zone, params, scopes, widgets, source, Display.NONE);
    }

    /**
     * How the dashboard's figures are shown; the engine ignores it. {@code headline} is the stat
     * an overview shows for the dashboard (empty: none); {@code currency} the ISO 4217 code of its
     * money figures (empty: none); {@code widgets} each widget's {@code unit}, {@code period},
     * {@code window}, column {@code units} and phone {@code keys}, as served by
     * {@code GET /api/dashboards}.
     */
    public record Display(String headline, String currency, Map<String, Map<String, Object>> widgets) {
        static final Display NONE = new Display("", "", Map.of());

        public Display {
            widgets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(widgets));
        }
    }

    /** A viewer-chosen whole number, like {@code hours} for the period of the calls dashboard. */
    public record Param(long defaultValue, long min, long max) {}

    /** Widget name to kind (stat, breakdown, series, table, list, sample), in definition order. */
    public Map<String, String> widgetKinds() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        widgets.forEach((name, node) -> out.put(name, kind(node)));
        return out;
    }

    /** The datasets its widgets read, in first-use order. */
    public List<String> datasets() {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        widgets.values().forEach(w -> {
            out.add(w.has("list") ? w.path("list").asString() : w.path("dataset").asString(""));
            w.path("only").forEach(o -> out.add(o.path("dataset").asString("")));
        });
        out.remove("");
        return List.copyOf(out);
    }

    public List<String> scopeNames() {
        return List.copyOf(scopes.keySet());
    }

    /** Breakdowns may carry a {@code stat:} option, so the kinds with a key of their own go first. */
    static String kind(JsonNode node) {
        for (String k : List.of("breakdown", "series", "table", "list", "sample", "stat")) {
            if (node.has(k)) {
                return k;
            }
        }
        return "unknown";
    }
}
