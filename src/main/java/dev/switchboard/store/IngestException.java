package dev.switchboard.store;

/**
 * A request the store refused; nothing of it was written. {@code row} is the index in the
 * request (-1 for the whole request) and {@code field} the column at fault (empty if none).
 */
public final class IngestException extends RuntimeException {
    private final int row;
    private final String field;
    private final int status;

    public IngestException(int status, int row, String field, String message) {
        super(message);
        this.status = status;
        this.row = row;
        this.field = field;
    }

    public int row() {
        return row;
    }

    public String field() {
        return field;
    }

    /** The HTTP status that fits: 400 for bad rows, 409 for a row another request changed meanwhile. */
    public int status() {
        return status;
    }
}
