package dev.switchboard.bench.fanout;

import dev.switchboard.bench.ProcStat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./switchboard bench memory}: heap and RSS per idle SSE subscriber in one Switchboard
 * process. Clients (split over load-generator processes) subscribe to one tenant's dataset and
 * stay idle; at each count the server's live heap is read with {@code jcmd GC.class_histogram}
 * (which collects first, so it counts live objects only) and its RSS from {@code /proc}. Per
 * subscriber = (figure at N - figure with no subscribers) / N.
 */
public final class MemoryBench {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");
    /** ZGC: "ZHeap  used 148M, capacity 1024M, max capacity 6016M"; G1 and others: "heap total 262144K, used ...". */
    private static final Pattern COMMITTED = Pattern.compile("(?:capacity|total) (\\d+)([KMG])");

    private MemoryBench() {}

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args, List.of(1_000, 10_000, 18_000));
        } catch (IllegalArgumentException e) {
            System.err.println("bench memory: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("switchboard-memory");
        Report.header("memory", args, o);
        try (Generators gens = new Generators(o.generators(), o.threads(), o.spread());
             Target t = Target.switchboard(Path.of("target/switchboard.jar"), work, o.serverJvm())) {
            String path = t.streamPath(FanoutBench.DATASETS);
            Thread.sleep(3000);
            String histogram0 = histogram(t.pid());
            long heap0 = liveHeap(t.pid());
            long rss0 = ProcStat.rssBytes(t.pid());
            long committed0 = committedHeap(t.pid());
            long gen0 = gens.rssBytes();
            System.out.printf("no subscribers: live heap %.1f MB, RSS %.1f MB%n", heap0 / 1e6, rss0 / 1e6);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"0", mb(heap0), "-", mb(committed0), mb(rss0), "-", "-"});
            int held = 0;
            for (int n : o.subscribers()) {
                long c0 = System.nanoTime();
                String[] r = gens.connect(t, FanoutBench.DATASETS, n - held, 256);
                held += Integer.parseInt(r[0]);
                long seen = t.awaitSubscribers(held, Duration.ofSeconds(60));
                double secs = (System.nanoTime() - c0) / 1e9;
                Thread.sleep(2000);
                long heap = liveHeap(t.pid());
                long rss = ProcStat.rssBytes(t.pid());
                long committed = committedHeap(t.pid());
                long genRss = gens.rssBytes();
                System.out.printf("%,d subscribers (connected in %.1f s%s; server holds %d): live heap %.1f MB, RSS %.1f MB%n", held, secs,
                        r[1].equals("0") ? "" : ", " + r[1] + " FAILED: " + r[2], seen, heap / 1e6, rss / 1e6);
                rows.add(new String[] {String.format("%,d", held), mb(heap), kb((heap - heap0) / (double) held), mb(committed), mb(rss),
                    kb((rss - rss0) / (double) held), kb((genRss - gen0) / (double) held)});
            }
            System.out.println();
            System.out.println("Idle SSE subscribers of one tenant's dataset (" + path + "), one server process:");
            System.out.println();
            Report.table(new String[] {"subscribers", "server live heap MB", "heap KB/subscriber", "heap committed MB", "server RSS MB",
                "RSS KB/subscriber",
                "generator RSS KB/connection"}, rows);
            System.out.println();
            System.out.println("Target: <= 5 KB heap per subscriber.");
            if (held > 0) {
                printGrowth(histogram0, histogram(t.pid()), held);
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Bytes of live objects in {@code pid}'s heap: jcmd's class histogram, which runs a full collection first. */
    static long liveHeap(long pid) throws IOException, InterruptedException {
        Matcher m = TOTAL.matcher(histogram(pid));
        if (!m.find()) {
            throw new IllegalStateException("jcmd GC.class_histogram gave no total");
        }
        return Long.parseLong(m.group(1));
    }

    /** jcmd's class histogram of {@code pid}'s live objects (after a full collection). */
    static String histogram(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(Target.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** Bytes per class name in a class histogram. */
    static Map<String, Long> byClass(String histogram) {
        Map<String, Long> m = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher x = ROW.matcher(line);
            if (x.find()) {
                m.merge(x.group(2), Long.parseLong(x.group(1)), Long::sum);
            }
        }
        return m;
    }

    /** The classes whose live bytes grew most between two histograms, in bytes per subscriber. */
    static void printGrowth(String before, String after, int subscribers) {
        Map<String, Long> a = byClass(before);
        Map<String, Long> b = byClass(after);
        List<Map.Entry<String, Long>> growth = new ArrayList<>();
        b.forEach((k, v) -> growth.add(Map.entry(k, v - a.getOrDefault(k, 0L))));
        growth.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : growth.subList(0, Math.min(15, growth.size()))) {
            rows.add(new String[] {e.getKey(), String.format("%.0f", e.getValue() / (double) subscribers)});
        }
        System.out.println();
        System.out.printf("Where the heap per subscriber goes (growth of live bytes by class from 0 to %,d subscribers):%n%n", subscribers);
        Report.table(new String[] {"class", "bytes/subscriber"}, rows);
    }

    /** Bytes of heap the JVM of {@code pid} has committed (jcmd GC.heap_info); part of its RSS however little of it is live. */
    static long committedHeap(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(Target.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = COMMITTED.matcher(out);
        if (!m.find()) {
            return 0;
        }
        long unit = switch (m.group(2)) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            default -> 1L << 30;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1e6);
    }

    private static String kb(double bytes) {
        return String.format("%.2f", bytes / 1024);
    }
}
