package dev.switchboard.change;

import java.time.Instant;

/**
 * One committed row change, modelled on Debezium's envelope: where it stands in the stream, whose
 * it is, what it did, and the row before and after ({@link Row#NONE} where there is no image).
 */
public record Change(Position position, String tenant, String dataset, Op op, String key,
                     Row before, Row after, Instant commitTime) {

    public Change {
        if (op == Op.CREATE && before.present() || op == Op.DELETE && after.present()) {
            throw new IllegalArgumentException(op + " change of " + dataset + "/" + key + " has the wrong row images");
        }
    }
}
