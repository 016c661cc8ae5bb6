package dev.switchboard.change;

import java.time.Instant;

/**
 * One committed row change, modelled on Debezium's envelope: where it stands in the stream, whose
 * it is, what it did, and the row before and after ({@link Row#NONE} where there is no image).
 */
public record Change(Position position, String tenant, String dataset, Op op, String key,
                     Row before, Row after, Instant commitTime) {

    /** The tenant of a {@link Op#TRUNCATE}: it empties the dataset of every tenant. No tenant name can be this. */
    public static final String ALL_TENANTS = "*";

    public Change {
        if (op == Op.CREATE && before.present() || op == Op.DELETE && after.present()
                || op == Op.TRUNCATE && (before.present() || after.present() || !tenant.equals(ALL_TENANTS))) {
            throw new IllegalArgumentException(op + " change of " + dataset + "/" + key + " has the wrong row images");
        }
    }

    /** Whether a subscriber of {@code tenant} must see this change: its own, or a truncate of everyone's. */
    public boolean concerns(String tenant) {
        return this.tenant.equals(tenant) || op == Op.TRUNCATE;
    }
}
