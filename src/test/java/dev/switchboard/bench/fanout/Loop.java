package dev.switchboard.bench.fanout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One selector thread holding many client connections. Everything it owns (connections, tallies,
 * {@link Accounting}) is touched only on its thread; other threads hand it work through {@link #call}.
 * Opening connections is paced: at most {@code maxInFlight} handshakes are outstanding at a time,
 * so a few thousand connects do not overflow the server's accept queue.
 */
final class Loop implements Runnable {
    final Accounting accounting = new Accounting();
    /** nanoTime of the current read; the receipt time of every event decoded from it. */
    long now;

    private final Selector selector;
    private final Optional<InetAddress> bind;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Conn> conns = new ArrayList<>();
    private final byte[] buf = new byte[256 * 1024];
    private final ByteBuffer bb = ByteBuffer.wrap(buf);
    private volatile boolean running = true;
    private Campaign campaign;
    private final Tenants tenants;
    private long opened;
    private String lastError = "";

    /** A batch of connections being opened. */
    private static final class Campaign {
        final String protocol;
        final InetSocketAddress target;
        final String path;
        final String connectPacket;
        final int maxInFlight;
        final CompletableFuture<int[]> done = new CompletableFuture<>();
        int remaining;
        int inFlight;
        int ok;
        int failed;

        Campaign(String protocol, InetSocketAddress target, String path, String connectPacket, int count, int maxInFlight) {
            this.protocol = protocol;
            this.target = target;
            this.path = path;
            this.connectPacket = connectPacket;
            this.remaining = count;
            this.maxInFlight = maxInFlight;
        }
    }

    /** What one loop holds at the end of a step. */
    record Part(long distinct, long duplicates, long late, long missing, long changes, long unstamped, long other, long bytes,
                long lastReceipt, int connections, int closed, String lastError, Histogram latency) { }

    Loop(Optional<InetAddress> bind) throws IOException {
        this(bind, new Tenants(1, 0, 1));
    }

    /**
     * How a path with {@code {tenant}} in it is filled in: the k-th connection this loop opens
     * watches tenant {@code (offset + k * stride) % count}, so loops and processes given distinct
     * offsets and a common stride spread their connections evenly over the tenants.
     */
    record Tenants(int count, int offset, int stride) { }

    Loop(Optional<InetAddress> bind, Tenants tenants) throws IOException {
        this.selector = Selector.open();
        this.bind = bind;
        this.tenants = tenants;
    }

    /** Runs {@code f} on this loop's thread. */
    <T> CompletableFuture<T> call(Supplier<T> f) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                cf.complete(f.get());
            } catch (RuntimeException | Error e) {
                cf.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return cf;
    }

    /** Opens {@code count} connections; completes with {ok, failed} once every handshake finished or failed. */
    CompletableFuture<int[]> connect(String protocol, InetSocketAddress target, String path, String connectPacket, int count, int maxInFlight) {
        return call(() -> {
            campaign = new Campaign(protocol, target, path, connectPacket, count, Math.max(1, maxInFlight));
            openMore();
            return campaign.done;
        }).thenCompose(f -> f);
    }

    CompletableFuture<Void> begin(long from) {
        return call(() -> {
            for (Conn c : conns) {
                c.tally.begin(from);
            }
            accounting.reset();
            return null;
        });
    }

    /** {distinct first copies received this step, nanoTime of the last receipt}. */
    CompletableFuture<long[]> progress() {
        return call(() -> {
            long distinct = 0;
            for (Conn c : conns) {
                distinct += c.tally.distinct();
            }
            return new long[] {distinct, accounting.lastReceipt};
        });
    }

    CompletableFuture<Part> stats(long to) {
        return call(() -> {
            long distinct = 0;
            long dups = 0;
            long late = 0;
            long missing = 0;
            int closed = 0;
            for (Conn c : conns) {
                distinct += c.tally.distinct();
                dups += c.tally.duplicates();
                late += c.tally.late();
                missing += c.tally.missing(to);
                closed += c.closed ? 1 : 0;
            }
            Accounting a = accounting;
            return new Part(distinct, dups, late, missing, a.changes, a.unstamped, a.other, a.bytes, a.lastReceipt, conns.size(), closed,
                    lastError, a.latency.copy());
        });
    }

    /** The last reason a connection failed or closed, or "". */
    CompletableFuture<String> lastError() {
        return call(() -> lastError);
    }

    CompletableFuture<Integer> disconnect() {
        return call(() -> {
            int n = conns.size();
            for (Conn c : new ArrayList<>(conns)) {
                close(c, "");
            }
            conns.clear();
            lastError = "";
            return n;
        });
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        while (running) {
            try {
                selector.select(200);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            now = System.nanoTime();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                handle(key, (Conn) key.attachment());
            }
            Runnable t;
            while ((t = tasks.poll()) != null) {
                t.run();
            }
        }
        for (Conn c : new ArrayList<>(conns)) {
            close(c, "");
        }
    }

    private void handle(SelectionKey key, Conn c) {
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                c.channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                String host = campaign.target.getHostString();
                int port = campaign.target.getPort();
                c.send(switch (campaign.protocol) {
                    case "sse" -> SseDecoder.request(host, port, c.path);
                    case "ws" -> WsDecoder.request(host, port, c.path);
                    default -> WsDecoder.request(host, port, c.path); // Socket.IO: /socket.io/?EIO=4&transport=websocket
                });
                return;
            }
            if (key.isWritable()) {
                c.flush();
            }
            if (key.isValid() && key.isReadable()) {
                bb.clear();
                int n = c.channel.read(bb);
                if (n < 0) {
                    close(c, "the server closed the connection");
                } else if (n > 0) {
                    accounting.bytes += n;
                    now = System.nanoTime();
                    c.feed(buf, 0, n);
                }
            }
        } catch (IOException e) {
            close(c, e.getMessage());
        }
    }

    private void openMore() {
        Campaign k = campaign;
        while (k.remaining > 0 && k.inFlight < k.maxInFlight) {
            k.remaining--;
            k.inFlight++;
            try {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (bind.isPresent()) {
                    ch.bind(new InetSocketAddress(bind.get(), 0));
                }
                Conn c = new Conn(this, ch, k.protocol, k.connectPacket);
                c.path = k.path.contains("{tenant}")
                        ? k.path.replace("{tenant}", Long.toString((tenants.offset() + opened++ * tenants.stride()) % tenants.count()))
                        : k.path;
                conns.add(c);
                ch.connect(k.target);
                c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
            } catch (IOException e) {
                k.inFlight--;
                k.failed++;
                lastError = "connect: " + e.getMessage();
            }
        }
        finishIfDone();
    }

    /** Called by a connection whose handshake completed. */
    void ready(Conn c) {
        Campaign k = campaign;
        if (k != null) {
            k.inFlight--;
            k.ok++;
            openMore();
        }
    }

    /** Closes {@code c}; a connection closed before its handshake finished counts as a failed connect. */
    void close(Conn c, String why) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (c.key != null) {
            c.key.cancel();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (!why.isEmpty()) {
            lastError = why;
        }
        if (!c.ready && campaign != null && !campaign.done.isDone()) {
            campaign.inFlight--;
            campaign.failed++;
            conns.remove(c);
            openMore();
        }
    }

    private void finishIfDone() {
        Campaign k = campaign;
        if (k.remaining == 0 && k.inFlight == 0 && !k.done.isDone()) {
            k.done.complete(new int[] {k.ok, k.failed});
        }
    }
}
