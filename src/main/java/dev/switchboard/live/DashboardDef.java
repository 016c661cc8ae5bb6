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
                           Range range, Map<String, JsonNode> scopes, Map<String, JsonNode> widgets, String source,
                           Display display) {

    /** A definition without presentation hints (no headline, no currency, no units). */
    public DashboardDef(String name, String title, String description, ZoneId zone, Map<String, Param> params,
                        Range range, Map<String, JsonNode> scopes, Map<String, JsonNode> widgets, String source) {
        this(name, title, description, zone, params, range, scopes, widgets, source, Display.NONE);
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

    /**
     * The viewer-chosen period of a dashboard ({@code range:} in its definition): widgets whose
     * window is {@code "${range}"} cover it. A viewer picks one of {@code presets} or a custom
     * range {@code from..to} (two instants) of at most {@code longest}; {@link #NONE} when the
     * dashboard declares no range.
     *
     * @param presets the windows offered (e.g. {@code 1h, 24h, 7d, today, this_week}); the first is not special
     * @param longest the longest custom range, and of a trailing window given in hours ({@code ?hours=})
     */
    public record Range(String defaultValue, List<String> presets, java.time.Duration longest) {
        public static final Range NONE = new Range("", List.of(), java.time.Duration.ZERO);

        public Range {
            presets = List.copyOf(presets);
        }

        public boolean declared() {
            return !presets.isEmpty();
        }
    }

    /**
     * Each stat compared with its previous period, to the raw window it declares (which may be
     * {@code ${range}}): its value's companion {@code <stat>.previous} is the same stat over the
     * period of equal length just before. Stats without a window, over {@code upcoming} or
     * {@code past}, with {@code only}, or with {@code compare: false}, have none.
     */
    public Map<String, String> compared() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        widgets.forEach((name, node) -> {
            String window = node.path("window").asString("").trim();
            if (kind(node).equals("stat") && node.path("compare").asBoolean(true) && !node.has("only")
                    && !List.of("", "all", "upcoming", "past").contains(window)) {
                out.put(name, window);
            }
        });
        return out;
    }

    /** Each widget with a window, to the window as declared (e.g. {@code 24h}, {@code today}, {@code ${range}}). */
    public Map<String, String> windows() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        widgets.forEach((name, node) -> {
            String window = node.path("window").asString("").trim();
            if (!window.isEmpty() && !window.equals("all")) {
                out.put(name, window);
            }
        });
        return out;
    }

    /** The name under which a stat's previous-period value travels beside its own. */
    public static String previousOf(String stat) {
        return stat + PREVIOUS;
    }

    static final String PREVIOUS = ".previous";

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
