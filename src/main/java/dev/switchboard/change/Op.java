package dev.switchboard.change;

/**
 * What a committed change did, with Debezium's one-letter codes: to one row, or ({@code t}) to a
 * whole dataset, emptied by TRUNCATE, for every tenant at once.
 */
public enum Op {
    CREATE("c"), UPDATE("u"), DELETE("d"), TRUNCATE("t");

    private final String code;

    Op(String code) {
        this.code = code;
    }

    /** The one-letter wire code: {@code c}, {@code u}, {@code d} or {@code t}. */
    public String code() {
        return code;
    }

    /** Parses a wire code or a SQL verb ({@code INSERT}, {@code UPDATE}, {@code DELETE}). */
    public static Op parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "c", "insert", "create" -> CREATE;
            case "u", "update" -> UPDATE;
            case "d", "delete" -> DELETE;
            case "t", "truncate" -> TRUNCATE;
            default -> throw new IllegalArgumentException("unknown change op '" + s + "' (expected c, u, d or t)");
        };
    }
}
