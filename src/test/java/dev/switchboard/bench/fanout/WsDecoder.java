package dev.switchboard.bench.fanout;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of a raw WebSocket: the 101 upgrade, RFC 6455 frames from the server (unmasked;
 * fragments joined; pings answered; no permessage-deflate is offered), and the messages inside.
 * Either Switchboard's native protocol (ready at the upgrade; {@code {"event":"change",...}} text
 * messages), or Socket.IO v4 ({@code /socket.io/?EIO=4&transport=websocket}) whose Engine.IO
 * packets are: {@code 0} open (answered with the namespace connect packet, {@code 40} or
 * {@code 40{auth}}), {@code 40} connect ack (ready), {@code 42[...]} events, {@code 2} ping
 * (answered with {@code 3}). Frames the client sends are masked, as RFC 6455 requires.
 */
final class WsDecoder {
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANGE = "42[\"change\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NATIVE_CHANGE = "{\"event\":\"change\"".getBytes(StandardCharsets.US_ASCII);

    private final StreamListener out;
    /** Socket.IO's namespace connect packet; empty for the native protocol. */
    private final java.util.Optional<String> connectPacket;
    private final Buf in = new Buf();
    private final Buf fragments = new Buf();
    private boolean upgraded;
    private boolean closed;

    WsDecoder(StreamListener out, java.util.Optional<String> connectPacket) {
        this.out = out;
        this.connectPacket = connectPacket;
    }

    /** The upgrade request for {@code path}. */
    static byte[] request(String host, int port, String path) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A masked client frame carrying {@code text}. */
    static byte[] textFrame(String text) {
        return frame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] frame(int opcode, byte[] payload) {
        int n = payload.length;
        int ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
        byte[] f = new byte[2 + ext + 4 + n];
        f[0] = (byte) (0x80 | opcode);
        int p = 2;
        if (ext == 0) {
            f[1] = (byte) (0x80 | n);
        } else if (ext == 2) {
            f[1] = (byte) (0x80 | 126);
            f[p++] = (byte) (n >>> 8);
            f[p++] = (byte) n;
        } else {
            f[1] = (byte) (0x80 | 127);
            for (int s = 56; s >= 0; s -= 8) {
                f[p++] = (byte) ((long) n >>> s);
            }
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] m = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        System.arraycopy(m, 0, f, p, 4);
        p += 4;
        for (int i = 0; i < n; i++) {
            f[p + i] = (byte) (payload[i] ^ m[i & 3]);
        }
        return f;
    }

    void feed(byte[] b, int off, int len) {
        if (closed) {
            return;
        }
        int before = in.size();
        in.append(b, off, len);
        if (!upgraded) {
            int i = in.indexOf(HEAD_END, in.start + Math.max(0, before - 3));
            if (i < 0) {
                if (in.size() > 16 * 1024) {
                    fail("response headers longer than 16 KB");
                }
                return;
            }
            String head = new String(in.a, in.start, i - in.start, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 101")) {
                fail("upgrade refused: " + head.lines().findFirst().orElse(""));
                return;
            }
            upgraded = true;
            in.start = i + HEAD_END.length;
            if (connectPacket.isEmpty()) {
                out.ready(); // the native protocol's stream is open at the upgrade
            }
        }
        frames();
        if (in.size() == 0) {
            in.clear();
        }
    }

    private void frames() {
        while (!closed && in.size() >= 2) {
            byte[] a = in.a;
            int s = in.start;
            boolean fin = (a[s] & 0x80) != 0;
            int op = a[s] & 0x0f;
            boolean masked = (a[s + 1] & 0x80) != 0;
            long n = a[s + 1] & 0x7f;
            int hdr = 2;
            if (n == 126) {
                if (in.size() < 4) {
                    return;
                }
                n = ((a[s + 2] & 0xff) << 8) | (a[s + 3] & 0xff);
                hdr = 4;
            } else if (n == 127) {
                if (in.size() < 10) {
                    return;
                }
                n = 0;
                for (int k = 0; k < 8; k++) {
                    n = (n << 8) | (a[s + 2 + k] & 0xff);
                }
                hdr = 10;
            }
            if (n > 16 << 20) {
                fail("frame of " + n + " bytes");
                return;
            }
            int maskAt = s + hdr;
            if (masked) {
                hdr += 4;
            }
            if (in.size() < hdr + n) {
                return;
            }
            int p = s + hdr;
            int len = (int) n;
            if (masked) {
                for (int i = 0; i < len; i++) {
                    a[p + i] ^= a[maskAt + (i & 3)];
                }
            }
            in.start = p + len;
            frame(fin, op, a, p, len);
        }
    }

    private void frame(boolean fin, int op, byte[] a, int p, int len) {
        switch (op) {
            case 0x0 -> {
                fragments.append(a, p, len);
                if (fin) {
                    message(fragments.a, fragments.start, fragments.size());
                    fragments.clear();
                }
            }
            case 0x1, 0x2 -> {
                if (fin) {
                    message(a, p, len);
                } else {
                    fragments.append(a, p, len);
                }
            }
            case 0x8 -> fail("the server closed the WebSocket");
            case 0x9 -> out.send(frame(0xA, java.util.Arrays.copyOfRange(a, p, p + len)));
            default -> { } // pong
        }
    }

    /** One message: a native JSON event, or an Engine.IO packet. */
    private void message(byte[] a, int p, int len) {
        if (len == 0) {
            return;
        }
        if (connectPacket.isEmpty()) {
            if (Buf.contains(a, p, Math.min(len, NATIVE_CHANGE.length), NATIVE_CHANGE)) {
                out.change(a, p, len);
            } else {
                out.other();
            }
            return;
        }
        switch (a[p]) {
            case '0' -> out.send(textFrame(connectPacket.get())); // open: connect to the main namespace
            case '2' -> {
                out.send(textFrame("3"));
                out.other();
            }
            case '4' -> {
                byte kind = len > 1 ? a[p + 1] : 0;
                if (kind == '0') {
                    out.ready();
                } else if (kind == '2' && Buf.contains(a, p, Math.min(len, CHANGE.length), CHANGE)) {
                    out.change(a, p, len);
                } else if (kind == '1' || kind == '4') {
                    fail("Socket.IO refused or ended the connection: " + new String(a, p, Math.min(len, 200), StandardCharsets.UTF_8));
                } else {
                    out.other();
                }
            }
            case '1' -> fail("Engine.IO close");
            default -> out.other();
        }
    }

    private void fail(String why) {
        closed = true;
        out.fail(why);
    }
}
