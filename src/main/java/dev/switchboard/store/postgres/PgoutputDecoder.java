package dev.switchboard.store.postgres;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import dev.switchboard.dataset.Dataset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes pgoutput protocol version 1 messages (Begin, Relation, Insert, Update, Delete, Truncate,
 * Commit) into whole committed transactions of {@link Change}s with WAL-derived positions.
 *
 * <p>pgoutput sends only committed transactions, in commit order, so rolled-back work never
 * arrives. Every published change counts towards the index within its transaction, also for
 * tables this node has no dataset for, so that all nodes number changes alike. One decoder
 * serves one replication stream: relations are announced per stream, so a new stream needs a
 * new decoder.
 */
final class PgoutputDecoder {
    private static final System.Logger LOG = System.getLogger(PgoutputDecoder.class.getName());
    /** PostgreSQL timestamps count microseconds from 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final Epoch epoch;
    private final Map<String, Dataset> datasets;
    private final Map<Integer, Relation> relations = new HashMap<>();
    private Open open;

    PgoutputDecoder(Epoch epoch, Map<String, Dataset> datasets) {
        this.epoch = epoch;
        this.datasets = datasets;
    }

    /** True between a Begin and its Commit: a stream that breaks now must drop the partial transaction. */
    boolean inTransaction() {
        return open != null;
    }

    /** Decodes one message; returns the transaction it completed, if it was a Commit. */
    Optional<Txn> decode(ByteBuffer buf) {
        char type = (char) buf.get();
        switch (type) {
            case 'B' -> {
                buf.getLong(); // final LSN, repeated in the Commit
                Instant time = pgTime(buf.getLong());
                open = new Open(buf.getInt(), time);
            }
            case 'C' -> {
                return Optional.of(commit(buf));
            }
            case 'R' -> relation(buf);
            case 'I', 'U', 'D' -> row(type, buf);
            case 'T' -> truncate(buf);
            default -> { } // Origin, Type and Message carry nothing we need
        }
        return Optional.empty();
    }

    private Txn commit(ByteBuffer buf) {
        buf.get(); // flags, unused
        long commitLsn = buf.getLong();
        long endLsn = buf.getLong();
        Open b = requireOpen("Commit");
        open = null;
        List<Change> changes = new ArrayList<>(b.pending.size());
        Change.Source source = new Change.Source(Integer.toUnsignedLong(b.xid), commitLsn);
        for (int i = 0; i < b.pending.size(); i++) {
            Pending p = b.pending.get(i);
            if (p == null) {
                continue; // a table without a dataset here: it keeps its index, we skip it
            }
            Position position = new Position(epoch.id(), Positions.seq(epoch.base(), commitLsn, i));
            changes.add(new Change(position, p.tenant, p.dataset, p.op, p.key, p.before, p.after, b.time, source));
        }
        return new Txn(commitLsn, endLsn, b.xid, changes);
    }

    private void relation(ByteBuffer buf) {
        int oid = buf.getInt();
        String schema = string(buf);
        String name = string(buf);
        char identity = (char) buf.get();
        int n = buf.getShort();
        String[] columns = new String[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            buf.get(); // flags: part of the key
            columns[i] = string(buf);
            types[i] = buf.getInt();
            buf.getInt(); // type modifier
        }
        if (identity != 'f') {
            LOG.log(System.Logger.Level.WARNING, "table {0}.{1} has REPLICA IDENTITY {2}, not FULL: updates and deletes arrive without complete before images",
                    schema, name, identity);
        }
        relations.put(oid, new Relation(name, columns, types));
    }

    private void row(char type, ByteBuffer buf) {
        Open b = requireOpen("row change");
        Relation rel = relations.get(buf.getInt());
        if (rel == null) {
            throw new IllegalStateException("pgoutput sent a row change before its Relation message");
        }
        Map<String, Object> before = null;
        Map<String, Object> after = null;
        char part = (char) buf.get();
        if (part == 'K' || part == 'O') {
            before = tuple(buf, rel, null);
            part = type == 'D' ? part : (char) buf.get();
        }
        if (part == 'N') {
            after = tuple(buf, rel, before);
        }
        Dataset ds = datasets.get(rel.name);
        if (type == 'U' && ds != null && before != null && after != null
                && (!java.util.Objects.equals(before.get(ds.tenant()), after.get(ds.tenant()))
                || !java.util.Objects.equals(before.get(ds.key()), after.get(ds.key())))) {
            // a row moved to another tenant or key: the old one is gone and a new one exists, as on
            // SQLite; one update would leave the old tenant's views counting it and show the new
            // tenant the old row
            b.pending.add(pending('D', rel, before, null));
            b.pending.add(pending('I', rel, null, after));
            return;
        }
        b.pending.add(pending(type, rel, before, after));
    }

    /** TRUNCATE of one or more tables: one change per table, in the order listed, each taking an index. */
    private void truncate(ByteBuffer buf) {
        Open b = requireOpen("truncate");
        int n = buf.getInt();
        buf.get(); // options: CASCADE, RESTART IDENTITY
        for (int i = 0; i < n; i++) {
            Relation rel = relations.get(buf.getInt());
            Dataset ds = rel == null ? null : datasets.get(rel.name);
            b.pending.add(ds == null ? null : new Pending(ds.name(), Op.TRUNCATE, Change.ALL_TENANTS, "", Row.NONE, Row.NONE));
        }
    }

    private Pending pending(char type, Relation rel, Map<String, Object> before, Map<String, Object> after) {
        Dataset ds = datasets.get(rel.name);
        if (ds == null) {
            return null;
        }
        Op op = type == 'I' ? Op.CREATE : type == 'U' ? Op.UPDATE : Op.DELETE;
        Map<String, Object> image = after != null ? after : before;
        Object tenant = image.get(ds.tenant());
        Object key = image.get(ds.key());
        return new Pending(ds.name(), op, tenant == null ? "" : String.valueOf(tenant), String.valueOf(key),
                before == null || op == Op.CREATE ? Row.NONE : Row.of(before),
                after == null ? Row.NONE : Row.of(after));
    }

    /** Reads TupleData; an unchanged TOASTed value ('u') is taken from the old image, which REPLICA IDENTITY FULL makes complete. */
    private static Map<String, Object> tuple(ByteBuffer buf, Relation rel, Map<String, Object> old) {
        int n = buf.getShort();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String column = rel.columns[i];
            char kind = (char) buf.get();
            switch (kind) {
                case 'n' -> values.put(column, null);
                case 'u' -> values.put(column, old == null ? null : old.get(column));
                case 't' -> {
                    byte[] bytes = new byte[buf.getInt()];
                    buf.get(bytes);
                    values.put(column, PgValues.fromText(rel.types[i], new String(bytes, StandardCharsets.UTF_8)));
                }
                default -> throw new IllegalStateException("unexpected tuple value kind '" + kind + "' (binary mode is not requested)");
            }
        }
        return values;
    }

    private Open requireOpen(String what) {
        if (open == null) {
            throw new IllegalStateException("pgoutput sent a " + what + " outside a transaction");
        }
        return open;
    }

    private static String string(ByteBuffer buf) {
        int start = buf.position();
        while (buf.get() != 0) {
            // scan to the terminating NUL
        }
        return new String(buf.array(), buf.arrayOffset() + start, buf.position() - start - 1, StandardCharsets.UTF_8);
    }

    static Instant pgTime(long micros) {
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    private record Relation(String name, String[] columns, int[] types) {}

    /** A transaction between Begin and Commit; a null pending entry is a change to a table without a dataset. */
    private static final class Open {
        final int xid;
        final Instant time;
        final List<Pending> pending = new ArrayList<>();

        Open(int xid, Instant time) {
            this.xid = xid;
            this.time = time;
        }
    }

    private record Pending(String dataset, Op op, String tenant, String key, Row before, Row after) {}
}
