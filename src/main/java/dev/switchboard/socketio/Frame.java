package dev.switchboard.socketio;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One Engine.IO packet as it travels in one WebSocket frame: text ({@code "4hello"}, {@code "2"})
 * or a raw binary message. Over HTTP long-polling, packets are joined with the record separator
 * {@code \x1e} and a binary message travels as {@code b<base64>}.
 */
record Frame(String text, byte[] binary) {
    static final char SEPARATOR = '\u001e';
    static final Frame PING = text("2");
    static final Frame PONG = text("3");
    static final Frame NOOP = text("6");
    static final Frame CLOSE = text("1");

    static Frame text(String text) {
        return new Frame(text, null);
    }

    static Frame binary(byte[] bytes) {
        return new Frame(null, bytes);
    }

    boolean isBinary() {
        return binary != null;
    }

    /** Bytes this frame costs in a polling payload (close enough for the maxPayload bound). */
    int size() {
        return isBinary() ? 1 + (binary.length + 2) / 3 * 4 : text.length();
    }

    /** The polling form: packets joined with the record separator, binary as {@code b<base64>}. */
    static byte[] encodePayload(List<Frame> frames) {
        StringBuilder out = new StringBuilder();
        for (Frame f : frames) {
            if (!out.isEmpty()) {
                out.append(SEPARATOR);
            }
            out.append(f.isBinary() ? "b" + Base64.getEncoder().encodeToString(f.binary) : f.text);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Splits a polling payload into packets.
     *
     * @throws IllegalArgumentException when a packet is empty or a {@code b} packet is not base64
     */
    static List<Frame> decodePayload(String payload) {
        List<Frame> frames = new ArrayList<>();
        int start = 0;
        while (start <= payload.length()) {
            int end = payload.indexOf(SEPARATOR, start);
            if (end < 0) {
                end = payload.length();
            }
            String packet = payload.substring(start, end);
            if (packet.isEmpty()) {
                throw new IllegalArgumentException("empty Engine.IO packet in the payload");
            }
            frames.add(packet.charAt(0) == 'b' ? binary(Base64.getDecoder().decode(packet.substring(1))) : text(packet));
            start = end + 1;
        }
        return frames;
    }
}
