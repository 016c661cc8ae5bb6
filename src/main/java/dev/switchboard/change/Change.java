package dev.switchboard.change;

import java.time.Instant;

/**
 * One committed row change, modelled on Debezium's envelope: where it stands in the stream, whose
 * it is, what it did, the row before and after ({@link Row#NONE} where there is no image), and the
 * database transaction it came from ({@link Source#NONE} where the store has no such notion).
 */
public record Change(Position position, String tenant, String dataset, Op op, String key,
                     Row before, Row after, Instant commitTime, Source source) {

    /**
     * The transaction that committed a change, as Debezium's {@code source} block names it: its
     * transaction id and the WAL position of its commit record. A snapshot that knows which
     * transactions it sees (PostgreSQL's {@code pg_current_snapshot()}) and how far the WAL had
     * come can tell from these alone whether it already holds the change, on any node, with no
     * record of the changes decoded before it.
     *
     * @param xid the 32-bit transaction id logical decoding reports (unsigned), 0 for none
     * @param commitLsn the LSN of the commit record, 0 for none
     */
    public record Source(long xid, long commitLsn) {
        /** No source transaction (SQLite, whose snapshots decide by position). */
        public static final Source NONE = new Source(0, 0);

        public Source {
            if (xid < 0 || xid > 0xFFFF_FFFFL || commitLsn < 0) {
                throw new IllegalArgumentException("source transaction must have a 32-bit xid and a non-negative commit LSN, was "
                        + xid + " at " + commitLsn);
            }
        }

        /** Whether a transaction is named. */
        public boolean present() {
            return commitLsn != 0;
        }
    }

    /** A change without a source transaction. */
    public Change(Position position, String tenant, String dataset, Op op, String key, Row before, Row after, Instant commitTime) {
        this(position, tenant, dataset, op, key, before, after, commitTime, Source.NONE);
    }

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
