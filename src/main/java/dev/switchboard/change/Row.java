package dev.switchboard.change;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable row image: column name to value, where values are {@code String}, {@code Long},
 * {@code Double}, {@code Boolean} or absent (SQL NULL). {@link #NONE} stands for "no image"
 * (the before image of a create, the after image of a delete).
 */
public final class Row {
    public static final Row NONE = new Row(Map.of(), false);

    private final Map<String, Object> values;
    private final boolean present;

    private Row(Map<String, Object> values, boolean present) {
        this.values = values;
        this.present = present;
    }

    /** A row image; numbers are normalized to Long or Double, nulls are kept as absent columns. */
    public static Row of(Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, normalize(v)));
        return new Row(Collections.unmodifiableMap(copy), true);
    }

    private static Object normalize(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.scale() <= 0 && d.precision() - d.scale() < 19 ? (Object) d.longValueExact() : (Object) d.doubleValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.longValue();
        }
        return v;
    }

    public boolean present() {
        return present;
    }

    /** The value of a column; empty for SQL NULL or a missing column. */
    public Optional<Object> get(String column) {
        return Optional.ofNullable(values.get(column));
    }

    /** The raw value or null; for hot loops inside the engine only. */
    public Object raw(String column) {
        return values.get(column);
    }

    public Optional<String> text(String column) {
        return get(column).map(String::valueOf);
    }

    public Optional<Double> number(String column) {
        Object v = values.get(column);
        if (v instanceof Number n) {
            return Optional.of(n.doubleValue());
        }
        if (v instanceof String s) {
            try {
                return Optional.of(Double.parseDouble(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (v instanceof Boolean b) {
            return Optional.of(b ? 1.0 : 0.0);
        }
        return Optional.empty();
    }

    /** A time column as an instant, read leniently (see {@link Times#parse}). */
    public Optional<Instant> time(String column) {
        return get(column).flatMap(Times::parse);
    }

    /** The column map (unmodifiable), for serialization. Absent columns may be missing or null. */
    public Map<String, Object> values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && r.present == present && r.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return present ? values.toString() : "NONE";
    }
}
