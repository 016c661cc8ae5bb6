package dev.switchboard.dataset;

import java.util.Locale;

/** The value types a dataset column may hold. */
public enum ColumnType {
    TEXT, INTEGER, NUMBER, BOOLEAN, TIME, JSON;

    static ColumnType parse(String s, String where) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": unknown column type '" + s
                    + "' (expected text, integer, number, boolean, time or json)");
        }
    }
}
