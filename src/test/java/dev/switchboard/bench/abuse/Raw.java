package dev.switchboard.bench.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Plain sockets from a chosen loopback source address (each kind of client has its own, as distinct hosts would). */
final class Raw {
    private Raw() {}

    /** A connection to the server from {@code from}; a small receive buffer when the client means not to read. */
    static Socket connect(String from, int port, boolean small) throws IOException {
        Socket s = new Socket();
        if (small) {
            s.setReceiveBufferSize(4096);
        }
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    /** Writes {@code text} as ASCII. */
    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** A GET request's head. */
    static String get(String path, String... headers) {
        StringBuilder b = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** The status code of the response on {@code s} (its head is read and dropped), or empty when the connection ended first. */
    static Optional<Integer> status(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        String first = line.toString(StandardCharsets.US_ASCII).trim();
        if (!first.startsWith("HTTP/")) {
            return Optional.empty();
        }
        // the rest of the head
        int newlines = 0;
        while (newlines < 2 && (c = in.read()) >= 0) {
            if (c == '\n') {
                newlines++;
            } else if (c != '\r') {
                newlines = 0;
            }
        }
        return Optional.of(Integer.parseInt(first.split(" ")[1]));
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone anyway
        }
    }
}
