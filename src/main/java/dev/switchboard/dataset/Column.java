package dev.switchboard.dataset;

import java.util.List;

/**
 * One typed column of a dataset.
 *
 * @param values allowed values for a text column; empty means any
 * @param maxLength longest accepted text, in characters
 */
public record Column(String name, ColumnType type, boolean required, List<String> values, int maxLength,
                     double min, double max) {
    /** Text columns accept up to this many characters unless a dataset says otherwise. */
    public static final int DEFAULT_MAX_LENGTH = 4096;

    public Column {
        values = List.copyOf(values);
    }
}
