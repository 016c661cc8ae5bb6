package dev.switchboard.bench.fanout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A load-generator process: a few {@link Loop} selector threads holding SSE, WebSocket or Socket.IO
 * connections, driven by its parent over stdin/stdout, one command and one answer per line:
 *
 * <pre>
 *   connect sse|ws|sio HOST PORT PATH N MAX_IN_FLIGHT [CONNECT_PACKET]  ->  connected OK FAILED LAST_ERROR
 *       (ws: Switchboard's native WebSocket at PATH; sio: Socket.IO, whose namespace connect packet is
 *       CONNECT_PACKET, e.g. 40 or 40{"tenant":"bench","datasets":["call_logs"]}, without spaces)
 *   begin FROM                                     ->  ok            (a step: writer sequence numbers from FROM)
 *   progress                                       ->  progress DISTINCT LAST_RECEIPT_NANOS
 *   stats TO                                       ->  stats DISTINCT DUPS LATE MISSING CHANGES UNSTAMPED OTHER BYTES
 *                                                      LAST_RECEIPT CONNS CLOSED HISTOGRAM_BASE64 LAST_ERROR
 *   disconnect                                     ->  disconnected N
 *   quit
 * </pre>
 *
 * Arguments: {@code --threads N} (selector threads, default 1), {@code --bind ADDRESS} (source
 * address of its connections, e.g. 127.0.0.2, when one address runs out of ephemeral ports),
 * {@code --tenants T --tenant-offset O --tenant-stride S} (a PATH containing {@code {tenant}} gets
 * tenant {@code (O + thread + k * S * threads) % T} for its k-th connection on a thread: give
 * process p of P the offset {@code p * threads} and the stride P).
 * It exits when its stdin closes, so it never outlives the benchmark.
 */
public final class LoadGen {
    private final List<Loop> loops = new ArrayList<>();

    private LoadGen(int threads, Optional<InetAddress> bind, int tenants, int offset, int stride) throws Exception {
        for (int i = 0; i < threads; i++) {
            Loop l = new Loop(bind, new Loop.Tenants(tenants, offset + i, stride));
            loops.add(l);
            Thread.ofPlatform().name("loadgen-" + i).daemon().start(l);
        }
    }

    public static void main(String[] args) throws Exception {
        int threads = 1;
        Optional<InetAddress> bind = Optional.empty();
        int tenants = 1;
        int offset = 0;
        int stride = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--bind" -> bind = Optional.of(InetAddress.getByName(args[++i]));
                case "--tenants" -> tenants = Integer.parseInt(args[++i]);
                case "--tenant-offset" -> offset = Integer.parseInt(args[++i]);
                case "--tenant-stride" -> stride = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but answers on stdout
        LoadGen gen = new LoadGen(threads, bind, tenants, offset, stride * threads);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            if (w[0].equals("quit")) {
                break;
            }
            try {
                out.println(gen.command(w));
            } catch (Exception e) {
                out.println("error " + e);
            }
        }
        gen.loops.forEach(Loop::stop);
        System.exit(0);
    }

    private String command(String[] w) throws Exception {
        switch (w[0]) {
            case "connect" -> {
                InetSocketAddress target = new InetSocketAddress(w[2], Integer.parseInt(w[3]));
                int n = Integer.parseInt(w[5]);
                int inFlight = Integer.parseInt(w[6]);
                List<CompletableFuture<int[]>> fs = new ArrayList<>();
                for (int i = 0; i < loops.size(); i++) {
                    int share = n / loops.size() + (i < n % loops.size() ? 1 : 0);
                    fs.add(loops.get(i).connect(w[1], target, w[4], w.length > 7 ? w[7] : "40", share, inFlight / loops.size()));
                }
                int ok = 0;
                int failed = 0;
                for (CompletableFuture<int[]> f : fs) {
                    int[] r = f.get(900, TimeUnit.SECONDS); // 15,000 connections on a busy machine can take minutes
                    ok += r[0];
                    failed += r[1];
                }
                String err = "";
                for (Loop l : loops) {
                    String e = l.lastError().get(30, TimeUnit.SECONDS);
                    err = e.isEmpty() ? err : e;
                }
                return "connected " + ok + " " + failed + (failed == 0 ? "" : " " + (err.isEmpty() ? "-" : err.replaceAll("\\s+", "_")));
            }
            case "begin" -> {
                long from = Long.parseLong(w[1]);
                for (Loop l : loops) {
                    l.begin(from).get(30, TimeUnit.SECONDS);
                }
                return "ok";
            }
            case "progress" -> {
                long distinct = 0;
                long last = 0;
                for (Loop l : loops) {
                    long[] p = l.progress().get(30, TimeUnit.SECONDS);
                    distinct += p[0];
                    last = Math.max(last, p[1]);
                }
                return "progress " + distinct + " " + last;
            }
            case "stats" -> {
                return stats(Long.parseLong(w[1]));
            }
            case "disconnect" -> {
                int n = 0;
                for (Loop l : loops) {
                    n += l.disconnect().get(60, TimeUnit.SECONDS);
                }
                return "disconnected " + n;
            }
            default -> throw new IllegalArgumentException("unknown command " + w[0]);
        }
    }

    private String stats(long to) throws Exception {
        long[] sum = new long[11];
        Histogram h = new Histogram(Accounting.MAX_MICROS, 3);
        String err = "";
        for (Loop l : loops) {
            Loop.Part p = l.stats(to).get(30, TimeUnit.SECONDS);
            long[] v = {p.distinct(), p.duplicates(), p.late(), p.missing(), p.changes(), p.unstamped(), p.other(), p.bytes(), 0,
                    p.connections(), p.closed()};
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
            sum[8] = Math.max(sum[8], p.lastReceipt());
            h.add(p.latency());
            err = p.lastError().isEmpty() ? err : p.lastError();
        }
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        h.encodeIntoCompressedByteBuffer(b);
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        StringBuilder s = new StringBuilder("stats");
        for (long v : sum) {
            s.append(' ').append(v);
        }
        s.append(' ').append(Base64.getEncoder().encodeToString(bytes));
        s.append(' ').append(err.isEmpty() ? "-" : err.replaceAll("\\s+", "_"));
        return s.toString();
    }
}
