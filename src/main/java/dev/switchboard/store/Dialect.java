package dev.switchboard.store;

import java.time.Instant;

/** The few ways our SQL differs between SQLite and PostgreSQL. */
public interface Dialect {

    /** {@code sqlite} or {@code postgresql}. */
    String name();

    /** A query parameter comparable with a stored time column. */
    Object time(Instant t);

    /** An expression that orders text by code point, as the engine does (PostgreSQL collations do not). */
    default String binary(String column) {
        return column;
    }

    /** An SQL expression that reads a numeric column as a double. */
    default String number(String column) {
        return "CAST(" + column + " AS DOUBLE PRECISION)";
    }
}
