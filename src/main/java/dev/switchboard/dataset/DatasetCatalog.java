package dev.switchboard.dataset;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * All datasets known to this server, loaded from {@code datasets.yaml} files:
 *
 * <pre>
 * call_logs:
 *   key: id
 *   tenant: user_id
 *   time: started_at
 *   columns:
 *     id: { type: text, required: true, max_length: 64 }
 *     status: { type: text, required: true, values: [active, ended] }
 *     duration: { type: integer, min: 0 }
 * </pre>
 */
public final class DatasetCatalog {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private final Map<String, Dataset> datasets;

    private DatasetCatalog(Map<String, Dataset> datasets) {
        this.datasets = java.util.Collections.unmodifiableMap(datasets);
    }

    public static DatasetCatalog of(Collection<Dataset> datasets) {
        Map<String, Dataset> map = new LinkedHashMap<>();
        for (Dataset d : datasets) {
            if (map.put(d.name(), d) != null) {
                throw new IllegalArgumentException("dataset " + d.name() + " is declared twice");
            }
        }
        for (Dataset d : map.values()) {
            for (Dataset.Lookup l : d.lookups().values()) {
                if (!map.containsKey(l.dataset())) {
                    throw new IllegalArgumentException("dataset " + d.name() + ": lookup '" + l.name() + "' names unknown dataset '" + l.dataset() + "'");
                }
            }
        }
        return new DatasetCatalog(map);
    }

    /** Parses one YAML document; {@code source} names it in error messages. */
    public static List<Dataset> parse(String yaml, String source) {
        JsonNode root = YAML.readTree(yaml);
        List<Dataset> out = new ArrayList<>();
        for (var e : root.properties()) {
            out.add(parseDataset(e.getKey(), e.getValue(), source));
        }
        return out;
    }

    private static Dataset parseDataset(String name, JsonNode node, String source) {
        String where = source + ": dataset " + name;
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(where + ": name must be lower_snake_case");
        }
        Map<String, Column> columns = new LinkedHashMap<>();
        JsonNode cols = node.path("columns");
        if (!cols.isObject() || cols.isEmpty()) {
            throw new IllegalArgumentException(where + ": 'columns' must list the columns");
        }
        for (var c : cols.properties()) {
            columns.put(c.getKey(), parseColumn(c.getKey(), c.getValue(), where));
        }
        Map<String, Dataset.Lookup> lookups = new LinkedHashMap<>();
        for (var l : node.path("lookups").properties()) {
            if (!l.getKey().matches("[a-z][a-z0-9_]{0,62}") || columns.containsKey(l.getKey())) {
                throw new IllegalArgumentException(where + ": lookup '" + l.getKey() + "' must be lower_snake_case and not a column name");
            }
            lookups.put(l.getKey(), new Dataset.Lookup(l.getKey(), required(l.getValue(), "dataset", where + ", lookup " + l.getKey()),
                    required(l.getValue(), "on", where + ", lookup " + l.getKey())));
        }
        return new Dataset(name, required(node, "key", where), required(node, "tenant", where),
                required(node, "time", where), columns, lookups, retention(node.path("retention"), where));
    }

    /** {@code retention: 30d} (also {@code h}, {@code w}); absent keeps rows forever. */
    private static Optional<java.time.Duration> retention(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,5})([hdw])").matcher(node.asString(""));
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": retention must look like 12h, 30d or 8w, got '" + node.asString(node.toString()) + "'");
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "h" -> java.time.Duration.ofHours(n);
            case "d" -> java.time.Duration.ofDays(n);
            default -> java.time.Duration.ofDays(7 * n);
        });
    }

    private static Column parseColumn(String name, JsonNode node, String where) {
        String at = where + ", column " + name;
        if (node.isString()) {
            return new Column(name, ColumnType.parse(node.asString(), at), false, List.of(), Column.DEFAULT_MAX_LENGTH,
                    Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        }
        List<String> values = new ArrayList<>();
        node.path("values").forEach(v -> values.add(v.asString()));
        return new Column(name, ColumnType.parse(required(node, "type", at), at), node.path("required").asBoolean(false),
                values, node.path("max_length").asInt(Column.DEFAULT_MAX_LENGTH),
                node.path("min").asDouble(Double.NEGATIVE_INFINITY), node.path("max").asDouble(Double.POSITIVE_INFINITY));
    }

    private static String required(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.isString() || v.asString().isBlank()) {
            throw new IllegalArgumentException(where + ": '" + field + "' is required");
        }
        return v.asString();
    }

    public Optional<Dataset> find(String name) {
        return Optional.ofNullable(datasets.get(name));
    }

    public Collection<Dataset> all() {
        return datasets.values();
    }
}
