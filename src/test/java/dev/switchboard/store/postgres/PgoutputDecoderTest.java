package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decoder on hand-built pgoutput messages, without a server. */
class PgoutputDecoderTest {
    private static final Epoch EPOCH = new Epoch("e1", 0x1000);
    private final PgoutputDecoder decoder = new PgoutputDecoder(EPOCH, Map.of("events", Fixtures.EVENTS));

    private static final class Msg {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);

        Msg(char type) throws IOException {
            out.writeByte(type);
        }

        Msg i8(int v) throws IOException { out.writeByte(v); return this; }
        Msg i16(int v) throws IOException { out.writeShort(v); return this; }
        Msg i32(int v) throws IOException { out.writeInt(v); return this; }
        Msg i64(long v) throws IOException { out.writeLong(v); return this; }
        Msg str(String s) throws IOException { out.write(s.getBytes(StandardCharsets.UTF_8)); out.writeByte(0); return this; }

        /** TupleData: each value is text, or null for SQL NULL, or "\u0000u" for an unchanged TOAST value. */
        Msg tuple(String... values) throws IOException {
            i16(values.length);
            for (String v : values) {
                if (v == null) {
                    i8('n');
                } else if (v.equals("\u0000u")) {
                    i8('u');
                } else {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    i8('t').i32(b.length);
                    out.write(b);
                }
            }
            return this;
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes.toByteArray());
        }
    }

    private Optional<Txn> feed(Msg m) {
        return decoder.decode(m.buffer());
    }

    private void relation(int oid, String name) throws IOException {
        Msg m = new Msg('R').i32(oid).str("public").str(name).i8('f').i16(4);
        m.i8(1).str("id").i32(25).i32(-1);
        m.i8(0).str("tenant").i32(25).i32(-1);
        m.i8(0).str("at").i32(PgValues.TIMESTAMPTZ).i32(-1);
        m.i8(0).str("n").i32(PgValues.INT8).i32(-1);
        feed(m);
    }

    @Test
    void decode_insertUpdateDelete_wholeTransactionWithImagesAndPositions() throws IOException {
        feed(new Msg('B').i64(0x5000).i64(0).i32(777));
        relation(1, "events");
        relation(2, "not_a_dataset");
        feed(new Msg('I').i32(1).i8('N').tuple("a", "t1", "2025-10-30 12:00:00.5+00", "1"));
        feed(new Msg('I').i32(2).i8('N').tuple("x", "t1", "2025-10-30 12:00:00+00", "9"));
        feed(new Msg('U').i32(1).i8('O').tuple("a", "t1", "2025-10-30 12:00:00.5+00", "1").i8('N').tuple("a", "t1", "\u0000u", "2"));
        feed(new Msg('D').i32(1).i8('O').tuple("a", "t1", "2025-10-30 12:00:00.5+00", "2"));
        assertThat(decoder.inTransaction()).isTrue();

        Txn txn = feed(new Msg('C').i8(0).i64(0x5000).i64(0x5030).i64(0)).orElseThrow();

        assertThat(decoder.inTransaction()).isFalse();
        assertThat(txn.xid()).isEqualTo(777);
        assertThat(txn.endLsn()).isEqualTo(0x5030);
        List<Change> changes = txn.changes();
        assertThat(changes).extracting(Change::op).containsExactly(Op.CREATE, Op.UPDATE, Op.DELETE);
        // the change to the table without a dataset keeps its index, so positions match other nodes
        assertThat(changes).extracting(c -> c.position().seq())
                .containsExactly(Positions.seq(0x1000, 0x5000, 0), Positions.seq(0x1000, 0x5000, 2), Positions.seq(0x1000, 0x5000, 3));
        assertThat(changes.get(0).after().raw("at")).isEqualTo("2025-10-30T12:00:00.500Z");
        assertThat(changes.get(1).after().raw("at")).as("unchanged TOAST value from the old image").isEqualTo("2025-10-30T12:00:00.500Z");
        assertThat(changes.get(1).before().raw("n")).isEqualTo(1L);
        assertThat(changes.get(1).after().raw("n")).isEqualTo(2L);
        assertThat(changes.get(2).tenant()).isEqualTo("t1");
        assertThat(changes.get(2).after().present()).isFalse();
        assertThat(changes.get(0).commitTime()).isEqualTo(PgoutputDecoder.pgTime(0));
        assertThat(changes).extracting(Change::source).as("each change names its transaction, as Debezium's source block does")
                .containsOnly(new Change.Source(777, 0x5000));
    }

    @Test
    void decode_truncate_oneChangePerDatasetTable_forAllTenants_inItsPlace() throws IOException {
        feed(new Msg('B').i64(0x6000).i64(0).i32(778));
        relation(1, "events");
        relation(2, "not_a_dataset");
        feed(new Msg('I').i32(1).i8('N').tuple("a", "t1", "2025-10-30 12:00:00+00", "1"));
        feed(new Msg('T').i32(2).i8(1).i32(2).i32(1)); // TRUNCATE not_a_dataset, events CASCADE
        feed(new Msg('I').i32(1).i8('N').tuple("b", "t2", "2025-10-30 12:00:00+00", "2"));

        List<Change> changes = feed(new Msg('C').i8(0).i64(0x6000).i64(0x6030).i64(0)).orElseThrow().changes();

        assertThat(changes).extracting(Change::op).containsExactly(Op.CREATE, Op.TRUNCATE, Op.CREATE);
        Change truncate = changes.get(1);
        assertThat(truncate.dataset()).isEqualTo("events");
        assertThat(truncate.tenant()).isEqualTo(Change.ALL_TENANTS);
        assertThat(truncate.concerns("t1")).isTrue();
        assertThat(truncate.before().present() || truncate.after().present()).isFalse();
        assertThat(changes).extracting(c -> c.position().seq())
                .containsExactly(Positions.seq(0x1000, 0x6000, 0), Positions.seq(0x1000, 0x6000, 2), Positions.seq(0x1000, 0x6000, 3));
    }

    @Test
    void decode_nullsAndBooleans_typed() {
        assertThat(PgValues.fromText(PgValues.BOOL, "t")).isEqualTo(true);
        assertThat(PgValues.fromText(PgValues.NUMERIC, "12.50")).isEqualTo(12.5);
        assertThat(PgValues.fromText(PgValues.INT4, "-3")).isEqualTo(-3L);
        assertThat(PgValues.fromText(PgValues.TIMESTAMPTZ, "infinity")).isEqualTo("infinity");
        assertThat(PgValues.fromText(3802, "{\"a\": 1}")).isEqualTo("{\"a\": 1}");
    }

    @Test
    void positions_orderByCommitThenIndex_andFloorBeforeLsn() {
        long a = Positions.seq(100, 200, 5);
        long b = Positions.seq(100, 201, 0);
        assertThat(a).isLessThan(b);
        assertThat(Positions.commitOf(a)).isEqualTo(100);
        assertThat(Positions.before(100, 201)).isGreaterThanOrEqualTo(a).isLessThan(b);
        assertThat(Positions.parseLsn(Positions.lsn(0x16B374D848L))).isEqualTo(0x16B374D848L);
        assertThat(Positions.lsn(0x16B374D848L)).isEqualTo("16/B374D848");
    }

    @Test
    void snapshotVisibility_xidRules() {
        assertThat(PgSnapshot.widen(5, 0x1_0000_0010L)).isEqualTo(0x1_0000_0005L);
        assertThat(PgSnapshot.widen(-2, 0x1_0000_0003L)).as("xid just before the wrap").isEqualTo(0xFFFF_FFFEL);
    }
}
