package dev.switchboard.bench.fanout;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The client side of one SSE response over HTTP/1.1: status line and headers, chunked (or
 * close-delimited) body, events separated by a blank line ({@code \n\n}). An event whose
 * {@code event:} line says {@code change} goes to {@link StreamListener#change}, every other one
 * (retry, snapshot, delta, heartbeat comment) to {@link StreamListener#other}.
 */
final class SseDecoder {
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANGE = "event: change\n".getBytes(StandardCharsets.US_ASCII);

    private enum State { HEAD, SIZE, DATA, CRLF, IDENTITY, END }

    private final StreamListener out;
    private final Buf head = new Buf();
    private final Buf events = new Buf();
    private State state = State.HEAD;
    private long chunkLeft;
    private long size;
    private boolean inExtension;

    SseDecoder(StreamListener out) {
        this.out = out;
    }

    /** The request that opens the stream at {@code path}. */
    static byte[] request(String host, int port, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    void feed(byte[] b, int off, int len) {
        int p = off;
        int end = off + len;
        while (p < end) {
            switch (state) {
                case HEAD -> p = head(b, p, end);
                case SIZE -> {
                    byte c = b[p++];
                    if (c == '\n') {
                        if (size == 0) {
                            state = State.END;
                            out.fail("the server ended the stream");
                            return;
                        }
                        chunkLeft = size;
                        size = 0;
                        inExtension = false;
                        state = State.DATA;
                    } else if (!inExtension && hex(c) >= 0) {
                        size = size * 16 + hex(c);
                    } else if (c != '\r') {
                        inExtension = true;
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(chunkLeft, end - p);
                    body(b, p, n);
                    p += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CRLF;
                    }
                }
                case CRLF -> {
                    if (b[p++] == '\n') {
                        state = State.SIZE;
                    }
                }
                case IDENTITY -> {
                    body(b, p, end - p);
                    p = end;
                }
                case END -> {
                    return;
                }
            }
        }
    }

    private int head(byte[] b, int p, int end) {
        int before = head.size();
        head.append(b, p, end - p);
        int i = head.indexOf(HEAD_END, Math.max(head.start, head.start + before - 3));
        if (i < 0) {
            if (head.size() > 16 * 1024) {
                out.fail("response headers longer than 16 KB");
                state = State.END;
            }
            return end;
        }
        String text = new String(head.a, head.start, i - head.start, StandardCharsets.ISO_8859_1);
        int consumed = i + HEAD_END.length - head.start - before;
        head.clear();
        if (!text.startsWith("HTTP/1.1 200") && !text.startsWith("HTTP/1.0 200")) {
            out.fail("stream refused: " + text.lines().findFirst().orElse(""));
            state = State.END;
            return end;
        }
        state = text.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked") ? State.SIZE : State.IDENTITY;
        out.ready();
        return p + consumed;
    }

    private void body(byte[] b, int off, int len) {
        int scanOffset = Math.max(0, events.size() - 1); // a "\n" at the end may pair with the next read's first byte
        events.append(b, off, len);
        int scanFrom = events.start + scanOffset;
        int i;
        while ((i = events.indexOf(EVENT_END, scanFrom)) >= 0) {
            int s = events.start;
            int n = i - s;
            if (n > 0) {
                if (Buf.contains(events.a, s, Math.min(n + 1, 160), CHANGE)) {
                    out.change(events.a, s, n);
                } else {
                    out.other();
                }
            }
            events.start = i + EVENT_END.length;
            scanFrom = events.start;
        }
        if (events.size() == 0) {
            events.clear();
        }
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
