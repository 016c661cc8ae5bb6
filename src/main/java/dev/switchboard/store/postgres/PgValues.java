package dev.switchboard.store.postgres;

import dev.switchboard.change.Times;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.postgresql.util.PGobject;

/**
 * Converts PostgreSQL values to the row value types of {@link dev.switchboard.change.Row}:
 * text to String, integers to Long, numeric and floats to Double, bool to Boolean, timestamps to
 * the canonical ISO string of {@link Times#format}, json and jsonb to their text.
 */
final class PgValues {
    static final int BOOL = 16, INT8 = 20, INT2 = 21, INT4 = 23, OID = 26, FLOAT4 = 700, FLOAT8 = 701,
            NUMERIC = 1700, TIMESTAMP = 1114, TIMESTAMPTZ = 1184;

    private PgValues() {}

    /** A value from pgoutput's text format for a column of type {@code typeOid}. */
    static Object fromText(int typeOid, String text) {
        return switch (typeOid) {
            case BOOL -> "t".equals(text);
            case INT2, INT4, INT8, OID -> Long.parseLong(text);
            case FLOAT4, FLOAT8, NUMERIC -> parseDouble(text);
            // a zone-less timestamp is read as UTC, like Times.parse; 'infinity' stays text
            case TIMESTAMP, TIMESTAMPTZ -> Times.parse(text).map(Times::format).orElse(text);
            default -> text;
        };
    }

    private static Object parseDouble(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /** A value read by JDBC, normalized the same way. */
    static Object fromJdbc(Object v) {
        if (v instanceof Timestamp t) {
            return Times.format(t.toInstant());
        }
        if (v instanceof OffsetDateTime o) {
            return Times.format(o.toInstant());
        }
        if (v instanceof PGobject p) {
            return p.getValue();
        }
        if (v instanceof java.sql.Date || v instanceof java.sql.Time || v instanceof java.sql.Array) {
            return v.toString();
        }
        return v;
    }

    /** A query parameter as pgjdbc binds it: instants become timestamptz. */
    static Object toJdbc(Object v) {
        return v instanceof Instant i ? OffsetDateTime.ofInstant(i, java.time.ZoneOffset.UTC) : v;
    }
}
