package dev.switchboard.change;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable row image: column name to value, where values are {@code String}, {@code Long},
 * {@code Double}, {@code Boolean} or absent (SQL NULL). {@link #NONE} stands for "no image"
 * (the before image of a create, the after image of a delete).
 *
 * <p>Compact: the column names live once in a shared {@link Shape} (one per distinct column
 * list, which is one per dataset in practice) and a row holds only its values in an array, so a
 * live view retaining a window of rows pays about a fifth of what a hash map per row cost.
 * Short repeated text values (a status, a tenant, an agent id) are shared between rows.
 */
public final class Row {
    public static final Row NONE = new Row(Shape.EMPTY, new Object[0], false);

    /** Distinct column lists remembered; beyond this, rows get a shape of their own (correct, not shared). */
    static final int MAX_SHAPES = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<String>, Shape> SHAPES = new java.util.concurrent.ConcurrentHashMap<>();
    /** The last shape each thread used: rows of one source mostly share one, found without a lookup. */
    private static final ThreadLocal<Shape> LAST = new ThreadLocal<>();

    /** Column names in order and their index, shared by every row with the same columns. */
    static final class Shape {
        static final Shape EMPTY = new Shape(new String[0]);
        final String[] names;
        private final java.util.HashMap<String, Integer> index;
        /**
         * Per column, the texts seen in it, shared so that a retained window does not hold a copy
         * of "ended" per row; null once the column proved to have many distinct values (an id).
         */
        private final java.util.concurrent.atomic.AtomicReferenceArray<java.util.concurrent.ConcurrentHashMap<String, String>> texts;

        Shape(String[] names) {
            this.names = names;
            this.index = java.util.HashMap.newHashMap(names.length);
            this.texts = new java.util.concurrent.atomic.AtomicReferenceArray<>(names.length);
            for (int i = 0; i < names.length; i++) {
                index.put(names[i], i);
                texts.set(i, new java.util.concurrent.ConcurrentHashMap<>());
            }
        }

        int indexOf(String column) {
            Integer i = index.get(column);
            return i == null ? -1 : i;
        }

        /** Whether {@code columns}, in their order, are this shape's names (a map's key set or a decoder's list). */
        boolean matches(java.util.Collection<String> columns) {
            if (columns.size() != names.length) {
                return false;
            }
            int i = 0;
            for (String k : columns) {
                String n = names[i++];
                if (n != k && !n.equals(k)) {
                    return false;
                }
            }
            return true;
        }

        /** Distinct texts a column may have and still be shared; a column with more (an id, a phone number) is not. */
        static final int SHARED_TEXTS = 256;

        /** The value for column {@code i}: a text of at most 64 characters is shared when its column repeats its values. */
        Object share(int i, Object v) {
            if (v instanceof String s && s.length() <= 64) {
                java.util.concurrent.ConcurrentHashMap<String, String> seen = texts.get(i);
                if (seen == null) {
                    return v;
                }
                String known = seen.get(s);
                if (known != null) {
                    return known;
                }
                if (seen.size() >= SHARED_TEXTS) {
                    texts.set(i, null); // many distinct values: stop remembering them
                    return v;
                }
                known = seen.putIfAbsent(s, s);
                return known == null ? s : known;
            }
            return v;
        }

        static Shape of(java.util.Collection<String> columns) {
            Shape last = LAST.get();
            if (last != null && last.matches(columns)) {
                return last;
            }
            return lookUp(java.util.List.copyOf(columns));
        }

        private static Shape lookUp(java.util.List<String> key) {
            Shape s = SHAPES.get(key);
            if (s == null) {
                s = new Shape(key.toArray(String[]::new));
                if (SHAPES.size() < MAX_SHAPES) {
                    Shape raced = SHAPES.putIfAbsent(key, s);
                    s = raced == null ? s : raced;
                }
            }
            LAST.set(s);
            return s;
        }
    }

    private final Shape shape;
    private final Object[] vals;
    private final boolean present;

    private Row(Shape shape, Object[] vals, boolean present) {
        this.shape = shape;
        this.vals = vals;
        this.present = present;
    }

    /** A row image; numbers are normalized to Long or Double, nulls are kept as absent columns. */
    public static Row of(Map<String, ?> values) {
        return of(Shape.of(values.keySet()), values.values());
    }

    /**
     * A row image from its columns and their values in the same order (a decoder that reads
     * columns one by one makes no map first); numbers are normalized as by {@link #of(Map)}.
     */
    public static Row of(java.util.List<String> columns, java.util.List<?> values) {
        if (columns.size() != values.size()) {
            throw new IllegalArgumentException(columns.size() + " columns but " + values.size() + " values");
        }
        return of(Shape.of(columns), values);
    }

    /** The row of {@code shape} with {@code values} in its column order, normalized and short texts shared. */
    private static Row of(Shape shape, java.util.Collection<?> values) {
        Object[] vals = new Object[shape.names.length];
        int i = 0;
        for (Object v : values) {
            vals[i] = shape.share(i, normalize(v));
            i++;
        }
        return new Row(shape, vals, true);
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
        return Optional.ofNullable(raw(column));
    }

    /** The raw value or null; for hot loops inside the engine only. */
    public Object raw(String column) {
        int i = shape.indexOf(column);
        return i < 0 ? null : vals[i];
    }

    public Optional<String> text(String column) {
        return get(column).map(String::valueOf);
    }

    public Optional<Double> number(String column) {
        Object v = raw(column);
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

    /** The column map (unmodifiable, in column order), for serialization. Absent columns may be missing or null. */
    public Map<String, Object> values() {
        Map<String, Object> m = view;
        if (m == null) {
            view = m = new Values(); // a benign race: two threads may each make one
        }
        return m;
    }

    /** The map {@link #values} returns, made once: callers comparing a row's values with themselves find them identical at once. */
    private Map<String, Object> view;

    /** A read-only map over the shape's names and this row's values, made on demand. */
    private final class Values extends java.util.AbstractMap<String, Object> {
        @Override
        public int size() {
            return vals.length;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String k && shape.indexOf(k) >= 0;
        }

        @Override
        public Object get(Object key) {
            return key instanceof String k ? raw(k) : null;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (o instanceof Row.Values other && other.row().shape == shape) {
                return java.util.Arrays.equals(other.row().vals, vals);
            }
            return super.equals(o);
        }

        @Override
        public int hashCode() {
            return Row.this.hashCode();
        }

        private Row row() {
            return Row.this;
        }

        @Override
        public java.util.Set<Entry<String, Object>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public int size() {
                    return vals.length;
                }

                @Override
                public java.util.Iterator<Entry<String, Object>> iterator() {
                    return new java.util.Iterator<>() {
                        int i;

                        @Override
                        public boolean hasNext() {
                            return i < vals.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (i >= vals.length) {
                                throw new java.util.NoSuchElementException();
                            }
                            int at = i++;
                            return new java.util.AbstractMap.SimpleImmutableEntry<>(shape.names[at], vals[at]);
                        }
                    };
                }
            };
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Row r) || r.present != present) {
            return false;
        }
        if (r.shape == shape) {
            return java.util.Arrays.equals(r.vals, vals);
        }
        return r.values().equals(values());
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < vals.length; i++) {
            h += java.util.Objects.hashCode(shape.names[i]) ^ java.util.Objects.hashCode(vals[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        return present ? values().toString() : "NONE";
    }
}
