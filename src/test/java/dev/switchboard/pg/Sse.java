package dev.switchboard.pg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One SSE connection over a raw socket (HTTP/1.0, no chunking), parsed byte for byte on its own
 * thread. Each complete event (ended by a blank line) goes to the consumer with the arrival time;
 * after {@link #close} returns no more events are delivered, so the last event seen is exactly
 * what a browser's EventSource would resume from.
 */
public final class Sse implements AutoCloseable {
    /** One event as it came over the wire; {@code data} is the raw JSON text. */
    public record Event(String id, String type, String data, long arrivedNanos, String retry) {
        public Event(String id, String type, String data, long arrivedNanos) {
            this(id, type, data, arrivedNanos, null);
        }

        /** The sequence part of a position id ({@code <epoch>-<seq>}). */
        public long seq() {
            return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
        }
    }

    private final Socket socket;
    private final Thread reader;
    private volatile String status = "";

    public Sse(int port, String path, String lastEventId, Consumer<Event> consumer) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        String req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // a platform thread, so benchmarks can tell its CPU time apart from the server's (ThreadMXBean)
        reader = Thread.ofPlatform().daemon().name("sse-client").start(() -> read(consumer));
    }

    public String status() {
        return status;
    }

    private void read(Consumer<Event> consumer) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            String line = in.readLine();
            status = line == null ? "" : line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // response headers
            }
            String id = null;
            String retry = null;
            String type = "message";
            StringBuilder data = new StringBuilder();
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        consumer.accept(new Event(id, type, data.toString(), System.nanoTime(), retry));
                    }
                    id = null;
                    retry = null;
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("retry: ")) {
                    retry = line.substring(7);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line, 6, line.length());
                }
            }
        } catch (IOException ignored) {
            // closed by us or by the server
        }
    }

    /** True while the server has not closed the stream. */
    public boolean open() {
        return reader.isAlive();
    }

    /** Closes the socket and waits until the reader has delivered its last complete event. */
    @Override
    public void close() throws IOException {
        socket.close();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
