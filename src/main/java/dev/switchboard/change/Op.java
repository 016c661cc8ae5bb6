package dev.switchboard.change;

/** What a committed change did to a row, with Debezium's one-letter codes. */
public enum Op {
    CREATE("c"), UPDATE("u"), DELETE("d");

    private final String code;

    Op(String code) {
        this.code = code;
    }

    /** The one-letter wire code: {@code c}, {@code u} or {@code d}. */
    public String code() {
        return code;
    }

    /** Parses a wire code or a SQL verb ({@code INSERT}, {@code UPDATE}, {@code DELETE}). */
    public static Op parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "c", "insert", "create" -> CREATE;
            case "u", "update" -> UPDATE;
            case "d", "delete" -> DELETE;
            default -> throw new IllegalArgumentException("unknown change op '" + s + "' (expected c, u or d)");
        };
    }
}
