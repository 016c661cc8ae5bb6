package dev.switchboard.store.postgres;

/**
 * Maps a change's place in the WAL to a position sequence: the commit LSN (minus the epoch's
 * base LSN) in the high bits, the change's index within its transaction in the low bits.
 *
 * <p>Deriving sequences from the WAL rather than counting lets two nodes that read the same
 * database agree on every position without talking to each other. The price is two limits:
 * a transaction may write at most {@value #MAX_CHANGES_PER_TX} changes to dataset tables, and an
 * epoch spans 2^43 bytes (8 TiB) of WAL after its base, after which the epoch must be reset.
 */
final class Positions {
    static final int INDEX_BITS = 20;
    static final int MAX_CHANGES_PER_TX = 1 << INDEX_BITS;
    private static final long MAX_OFFSET = (1L << (63 - INDEX_BITS)) - 1;

    private Positions() {}

    /** The sequence of the {@code index}-th change of the transaction that committed at {@code commitLsn}. */
    static long seq(long base, long commitLsn, int index) {
        long offset = commitLsn - base;
        if (offset <= 0 || offset > MAX_OFFSET) {
            throw new IllegalStateException("commit LSN " + lsn(commitLsn) + " is outside the epoch's range starting at "
                    + lsn(base) + "; reset the epoch (see docs/POSTGRESQL.md)");
        }
        if (index < 0 || index >= MAX_CHANGES_PER_TX) {
            throw new IllegalStateException("transaction committed at " + lsn(commitLsn) + " wrote more than "
                    + MAX_CHANGES_PER_TX + " changes to dataset tables; split such writes into smaller transactions");
        }
        return offset << INDEX_BITS | index;
    }

    /**
     * The largest sequence below every change of transactions committing at or after {@code lsn}:
     * a floor that is honest when the slot replays from {@code lsn}.
     */
    static long before(long base, long lsn) {
        return Math.max(0, seq(base, Math.max(lsn, base + 1), 0) - 1);
    }

    /** The commit LSN part of a sequence, as an offset from the base; equal for all changes of one transaction. */
    static long commitOf(long seq) {
        return seq >>> INDEX_BITS;
    }

    /** PostgreSQL's text form of an LSN, {@code 16/B374D848}. */
    static String lsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** Parses PostgreSQL's text form of an LSN. */
    static long parseLsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }
}
