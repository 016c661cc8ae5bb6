package dev.switchboard.bench.fanout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/** One client connection of a {@link Loop}: its channel, decoder, tally and pending writes. Confined to the loop's thread. */
final class Conn implements StreamListener {
    private final Loop loop;
    final SocketChannel channel;
    final Tally tally = new Tally();
    private final SseDecoder sse;
    private final WsDecoder ws;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    SelectionKey key;
    /** The stream path this connection requests. */
    String path = "";
    boolean ready;
    boolean closed;

    /** {@code protocol}: sse, ws (Switchboard's native WebSocket) or sio (Socket.IO, connecting with {@code connectPacket}). */
    Conn(Loop loop, SocketChannel channel, String protocol, String connectPacket) {
        this.loop = loop;
        this.channel = channel;
        this.sse = protocol.equals("sse") ? new SseDecoder(this) : null;
        this.ws = sse != null ? null : new WsDecoder(this, protocol.equals("sio") ? java.util.Optional.of(connectPacket) : java.util.Optional.empty());
    }

    void feed(byte[] b, int off, int len) {
        if (sse != null) {
            sse.feed(b, off, len);
        } else {
            ws.feed(b, off, len);
        }
    }

    @Override
    public void ready() {
        if (!ready) {
            ready = true;
            loop.ready(this);
        }
    }

    @Override
    public void change(byte[] b, int off, int len) {
        loop.accounting.change(tally, b, off, len, loop.now);
    }

    @Override
    public void other() {
        loop.accounting.other();
    }

    @Override
    public void send(byte[] bytes) {
        pending.add(ByteBuffer.wrap(bytes));
        flush();
    }

    /** Writes what is pending; asks for OP_WRITE when the socket is full. */
    void flush() {
        try {
            while (!pending.isEmpty()) {
                ByteBuffer b = pending.peek();
                channel.write(b);
                if (b.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                pending.poll();
            }
            if (key != null && key.isValid()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            fail("write failed: " + e.getMessage());
        }
    }

    @Override
    public void fail(String why) {
        loop.close(this, why);
    }
}
