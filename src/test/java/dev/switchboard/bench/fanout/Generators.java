package dev.switchboard.bench.fanout;

import dev.switchboard.bench.ProcStat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The load-generator processes ({@link LoadGen}), each holding a share of the connections, so no
 * process nears the 20,000 open files a process may have here. With {@code spread}, process i
 * binds its connections to 127.0.0.(2+i), so each has its own ~28,000 ephemeral ports.
 */
final class Generators implements AutoCloseable {
    final List<Child> procs = new ArrayList<>();
    final int threadsEach;

    /** Sum of every process's answer to {@code stats}. */
    record Stats(long distinct, long duplicates, long late, long missing, long changes, long unstamped, long other, long bytes,
                 long lastReceipt, long connections, long closed, Histogram latency, String lastError) { }

    Generators(int count, int threadsEach, boolean spread) throws IOException {
        this.threadsEach = threadsEach;
        for (int i = 0; i < count; i++) {
            List<String> cmd = new ArrayList<>(List.of(Target.java(), "-Xmx1g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                    LoadGen.class.getName(), "--threads", String.valueOf(threadsEach)));
            if (spread) {
                cmd.addAll(List.of("--bind", "127.0.0." + (2 + i)));
            }
            procs.add(Child.commanded("loadgen-" + i, cmd));
        }
    }

    /** Opens {@code n} connections to {@code t} watching {@code watch}, split over the processes; returns {ok, failed} and the last error. */
    String[] connect(Target t, String watch, int n, int maxInFlight) throws IOException {
        String path = t.streamPath(watch);
        for (int i = 0; i < procs.size(); i++) {
            int share = n / procs.size() + (i < n % procs.size() ? 1 : 0);
            procs.get(i).send("connect " + t.protocol + " 127.0.0.1 " + t.port + " " + path + " " + share + " "
                    + Math.max(1, maxInFlight / procs.size()) + " " + t.connectPacket(watch));
        }
        long ok = 0;
        long failed = 0;
        String err = "";
        for (Child c : procs) {
            String[] w = c.answer().split(" ");
            ok += Long.parseLong(w[1]);
            failed += Long.parseLong(w[2]);
            err = w.length > 3 ? w[3] : err;
        }
        return new String[] {String.valueOf(ok), String.valueOf(failed), err};
    }

    void begin(long from) throws IOException {
        all("begin " + from);
    }

    /** {distinct first copies received this step, nanoTime of the last receipt}. */
    long[] progress() throws IOException {
        long distinct = 0;
        long last = 0;
        for (String a : all("progress")) {
            String[] w = a.split(" ");
            distinct += Long.parseLong(w[1]);
            last = Math.max(last, Long.parseLong(w[2]));
        }
        return new long[] {distinct, last};
    }

    Stats stats(long to) throws IOException {
        long[] s = new long[11];
        Histogram h = new Histogram(Accounting.MAX_MICROS, 3);
        String err = "";
        for (String a : all("stats " + to)) {
            String[] w = a.split(" ");
            for (int i = 0; i < 11; i++) {
                long v = Long.parseLong(w[1 + i]);
                s[i] = i == 8 ? Math.max(s[i], v) : s[i] + v;
            }
            try {
                h.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(w[12])), 0));
            } catch (DataFormatException e) {
                throw new IllegalStateException("unreadable histogram from a load generator", e);
            }
            err = w[13].equals("-") ? err : w[13];
        }
        return new Stats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], h, err);
    }

    void disconnect() throws IOException {
        all("disconnect");
    }

    /** CPU time of each generator process, in nanoseconds. */
    long[] cpuEach() {
        return procs.stream().mapToLong(c -> ProcStat.cpuNanos(c.pid())).toArray();
    }

    long rssBytes() {
        return procs.stream().mapToLong(c -> ProcStat.rssBytes(c.pid())).sum();
    }

    private List<String> all(String command) throws IOException {
        for (Child c : procs) {
            c.send(command);
        }
        List<String> answers = new ArrayList<>();
        for (Child c : procs) {
            answers.add(c.answer());
        }
        return answers;
    }

    @Override
    public void close() {
        procs.forEach(Child::close);
    }
}
