package dev.switchboard.live;

import dev.switchboard.change.Times;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/** How the engine compares stored values, so that it agrees with SQL on both dialects. */
final class Values {
    private Values() {}

    /** Orders non-null values: numbers numerically (booleans as 0/1), times as instants, the rest as text. */
    static final Comparator<Object> ORDER = Values::compare;

    static int compare(Object a, Object b) {
        Double x = number(a);
        Double y = number(b);
        if (x != null && y != null) {
            return Double.compare(x, y);
        }
        if (x != null) {
            return -1;
        }
        if (y != null) {
            return 1;
        }
        Optional<Instant> ta = a instanceof String s && looksLikeTime(s) ? Times.parse(s) : Optional.empty();
        Optional<Instant> tb = b instanceof String s && looksLikeTime(s) ? Times.parse(s) : Optional.empty();
        if (ta.isPresent() && tb.isPresent()) {
            return ta.get().compareTo(tb.get());
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    static boolean same(Object a, Object b) {
        return a != null && b != null && compare(a, b) == 0;
    }

    static Double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        return null;
    }

    /**
     * A string that {@link #compare} equals only to the same string: not a number (those are never
     * strings here) and not a time (two spellings of one instant compare equal).
     */
    static boolean plainText(Object v) {
        return v instanceof String s && !looksLikeTime(s);
    }

    private static boolean looksLikeTime(String s) {
        return s.length() >= 16 && s.charAt(4) == '-' && s.charAt(7) == '-' && (s.charAt(10) == 'T' || s.charAt(10) == ' ');
    }

    /**
     * Turns a literal from a definition into the column's type, so SQL gets a parameter it can
     * compare on PostgreSQL and the engine compares like SQL does.
     */
    static Object literal(Column column, Object raw, String where) {
        if (raw == null) {
            return null;
        }
        ColumnType type = column.type();
        try {
            return switch (type) {
                case TEXT, JSON -> String.valueOf(raw);
                case INTEGER -> raw instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(raw));
                case NUMBER -> raw instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(raw));
                case BOOLEAN -> raw instanceof Boolean b ? b : parseBoolean(String.valueOf(raw));
                case TIME -> Times.parse(raw).map(Times::format).orElseThrow(() -> new IllegalArgumentException("not a time"));
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": value '" + raw + "' does not fit column " + column.name()
                    + " of type " + type.name().toLowerCase());
        }
    }

    private static boolean parseBoolean(String s) {
        return switch (s) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }
}
