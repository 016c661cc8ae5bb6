package dev.switchboard.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator's counts can be trusted: wire bytes with a gap and a duplicate, cut at
 * awkward places, come out as exactly one missing and one duplicated event, for every protocol.
 */
class GeneratorAccountingTest {

    /** A connection without a socket: decoded events go to a tally and an accounting, as in a {@link Loop}. */
    static final class Client implements StreamListener {
        final Tally tally = new Tally();
        final Accounting accounting = new Accounting();
        final List<String> sent = new ArrayList<>();
        boolean ready;
        String failure = "";

        @Override
        public void ready() {
            ready = true;
        }

        @Override
        public void change(byte[] b, int off, int len) {
            accounting.change(tally, b, off, len, 5_000_000L);
        }

        @Override
        public void other() {
            accounting.other();
        }

        @Override
        public void send(byte[] bytes) {
            sent.add(unmask(bytes));
        }

        @Override
        public void fail(String why) {
            failure = why;
        }
    }

    @Test
    void sseStream_withAGapAndADuplicate_countsOneMissingAndOneDuplicate() {
        Client c = new Client();
        c.tally.begin(1);
        StringBuilder body = new StringBuilder("retry: 1000\n\n");
        for (long seq : new long[] {1, 2, 4, 4, 5}) {
            body.append("id: e1-").append(seq).append("\nevent: change\ndata: {\"dataset\":\"call_logs\",\"key\":\"")
                    .append(Marker.id(seq, 1_000_000L)).append("\",\"after\":{\"id\":\"").append(Marker.id(seq, 1_000_000L)).append("\"}}\n\n");
        }
        body.append("id: e1-5\nevent: delta\ndata: {\"widgets\":{\"recent\":[\"").append(Marker.id(9, 1L)).append("\"]}}\n\n");
        byte[] wire = chunked(body.toString().getBytes(StandardCharsets.UTF_8), 37);
        SseDecoder d = new SseDecoder(c);
        feedInPieces(wire, d::feed);

        assertThat(c.failure).isEmpty();
        assertThat(c.ready).isTrue();
        assertThat(c.tally.missing(6)).isEqualTo(1);
        assertThat(c.tally.duplicates()).isEqualTo(1);
        assertThat(c.tally.distinct()).isEqualTo(4);
        assertThat(c.accounting.other).as("retry and delta are not changes").isEqualTo(2);
        assertThat(c.accounting.latency.getTotalCount()).isEqualTo(4);
        assertThat(c.accounting.latency.getMaxValue()).as("4 ms from the stamp to the receipt, in µs").isBetween(3_990L, 4_010L);
    }

    @Test
    void socketIoStream_withAGapAndADuplicate_countsOneMissingAndOneDuplicate_andAnswersTheProtocol() {
        Client c = new Client();
        c.tally.begin(1);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(serverFrame("0{\"sid\":\"abc\",\"pingInterval\":25000,\"pingTimeout\":20000}"));
        wire.writeBytes(serverFrame("40{\"sid\":\"xyz\"}"));
        for (long seq : new long[] {1, 2, 4, 4, 5}) {
            String padding = "x".repeat(seq == 4 ? 300 : 10); // one frame with a 16-bit length
            wire.writeBytes(serverFrame("42[\"change\",{\"dataset\":\"call_logs\",\"key\":\"" + Marker.id(seq, 1_000_000L) + "\",\"p\":\"" + padding + "\"}]"));
        }
        wire.writeBytes(serverFrame("2"));
        String connect = "40{\"tenant\":\"bench\",\"datasets\":[\"call_logs\"]}";
        WsDecoder d = new WsDecoder(c, java.util.Optional.of(connect));
        feedInPieces(wire.toByteArray(), d::feed);

        assertThat(c.failure).isEmpty();
        assertThat(c.sent).containsExactly(connect, "3");
        assertThat(c.ready).isTrue();
        assertThat(c.tally.missing(6)).isEqualTo(1);
        assertThat(c.tally.duplicates()).isEqualTo(1);
        assertThat(c.tally.distinct()).isEqualTo(4);
        assertThat(c.accounting.latency.getTotalCount()).isEqualTo(4);
    }

    @Test
    void nativeWebSocketStream_withAGapAndADuplicate_countsOneMissingAndOneDuplicate() {
        Client c = new Client();
        c.tally.begin(1);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (long seq : new long[] {1, 2, 4, 4, 5}) {
            String padding = "x".repeat(seq == 4 ? 300 : 10);
            wire.writeBytes(serverFrame("{\"event\":\"change\",\"id\":\"e1-" + seq + "\",\"data\":{\"dataset\":\"call_logs\",\"key\":\""
                    + Marker.id(seq, 1_000_000L) + "\",\"p\":\"" + padding + "\"}}"));
        }
        wire.writeBytes(serverFrame("{\"event\":\"delta\",\"id\":\"e1-5\",\"data\":{\"widgets\":{\"recent\":[\"" + Marker.id(9, 1L) + "\"]}}}"));
        wire.writeBytes(serverFrame("{\"event\":\"heartbeat\"}"));
        WsDecoder d = new WsDecoder(c, java.util.Optional.empty());
        feedInPieces(wire.toByteArray(), d::feed);

        assertThat(c.failure).isEmpty();
        assertThat(c.sent).isEmpty();
        assertThat(c.ready).isTrue();
        assertThat(c.tally.missing(6)).isEqualTo(1);
        assertThat(c.tally.duplicates()).isEqualTo(1);
        assertThat(c.tally.distinct()).isEqualTo(4);
        assertThat(c.accounting.other).as("delta and heartbeat are not changes").isEqualTo(2);
        assertThat(c.accounting.latency.getTotalCount()).isEqualTo(4);
    }

    @Test
    void tally_countsLateArrivalsOfAnEarlierStepApart() {
        Tally t = new Tally();
        t.begin(100);
        assertThat(t.record(99)).isFalse();
        assertThat(t.record(100)).isTrue();
        assertThat(t.late()).isEqualTo(1);
        assertThat(t.missing(103)).isEqualTo(2);
    }

    /** Feeds the bytes in pieces of 1, 2, 3, ... bytes, so every boundary falls somewhere awkward. */
    static void feedInPieces(byte[] wire, Feed f) {
        int p = 0;
        int n = 1;
        while (p < wire.length) {
            int len = Math.min(n, wire.length - p);
            byte[] copy = java.util.Arrays.copyOfRange(wire, p, p + len); // the decoder must not keep a reference
            f.feed(copy, 0, len);
            p += len;
            n = n % 50 + 1;
        }
    }

    interface Feed {
        void feed(byte[] b, int off, int len);
    }

    static byte[] chunked(byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int p = 0; p < body.length; p += chunk) {
            int n = Math.min(chunk, body.length - p);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, p, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static byte[] serverFrame(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        if (p.length < 126) {
            out.write(p.length);
        } else {
            out.write(126);
            out.write(p.length >>> 8);
            out.write(p.length & 0xff);
        }
        out.writeBytes(p);
        return out.toByteArray();
    }

    static String unmask(byte[] f) {
        int len = f[1] & 0x7f;
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = (byte) (f[6 + i] ^ f[2 + (i & 3)]);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
