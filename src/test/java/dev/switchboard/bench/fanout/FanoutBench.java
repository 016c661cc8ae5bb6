package dev.switchboard.bench.fanout;

import dev.switchboard.bench.ProcStat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code ./switchboard bench fanout}: fan-out of one tenant's changes to S subscribers, Switchboard
 * (over SSE, its native WebSocket and its Socket.IO) against a minimal Socket.IO v4 server on Node,
 * measured by the same load generator in the same run. Every system runs as its own process; so do the load generators. For each S the clients
 * connect, then the writer publishes at rising rates (a few seconds each, then a drain); the
 * ladder stops after a step the server could not keep up with. See BENCHMARKS.md.
 */
public final class FanoutBench {
    static final String DATASETS = "datasets=" + Target.DATASET;
    static final String DASHBOARDS = "dashboards=calls&datasets=" + Target.DATASET;

    private final Options o;
    private final Generators gens;
    private final Writer writer;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Boolean> warmed = new LinkedHashMap<>();

    private FanoutBench(Options o, Generators gens) {
        this.o = o;
        this.gens = gens;
        this.writer = new Writer(o.postsPerSecond());
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args, List.of(100, 1_000, 10_000));
        } catch (IllegalArgumentException e) {
            System.err.println("bench fanout: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("switchboard-fanout");
        Report.header("fan-out", args, o);
        Optional<Target> sb = Optional.empty();
        Optional<Target> sio = Optional.empty();
        try (Generators gens = new Generators(o.generators(), o.threads(), o.spread())) {
            if (o.systems().stream().anyMatch(x -> x.startsWith("switchboard"))) {
                sb = Optional.of(Target.switchboard(Path.of("target/switchboard.jar"), work, o.serverJvm()));
            }
            if (o.systems().contains("socketio")) {
                sio = Optional.of(Target.socketIo(Path.of("bench/socketio-baseline"), work));
            }
            FanoutBench bench = new FanoutBench(o, gens);
            for (int s : o.subscribers()) {
                if (sb.isPresent()) {
                    if (o.systems().contains("switchboard")) {
                        bench.ladder(sb.get(), s, DATASETS);
                    }
                    // the same server and stream over its other transports
                    if (o.systems().contains("switchboard-ws")) {
                        bench.ladder(sb.get().over("ws"), s, DATASETS);
                    }
                    if (o.systems().contains("switchboard-sio")) {
                        bench.ladder(sb.get().over("sio"), s, DATASETS);
                    }
                }
                if (sio.isPresent()) {
                    bench.ladder(sio.get(), s, "room");
                }
            }
            if (sb.isPresent() && o.systems().contains("switchboard") && o.dashboardsRun() > 0) {
                bench.ladder(sb.get(), o.dashboardsRun(), DASHBOARDS);
            }
            Report.results(bench.steps);
        } finally {
            sb.ifPresent(Target::close);
            sio.ifPresent(Target::close);
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Connects S clients to {@code t}, runs the rate ladder, disconnects. */
    private void ladder(Target t, int s, String watch) throws Exception {
        System.out.printf("%n%s, %,d subscribers (%s): connecting...%n", t.name, s, t.socketIo ? "one room" : watch);
        long c0 = System.nanoTime();
        String[] r = gens.connect(t, watch, s, 512);
        int ok = Integer.parseInt(r[0]);
        long held = t.awaitSubscribers(ok, Duration.ofSeconds(30));
        System.out.printf("  %d connected in %.1f s%s; the server holds %d%n", ok, (System.nanoTime() - c0) / 1e9,
                r[1].equals("0") ? "" : ", " + r[1] + " FAILED (" + r[2] + ")", held);
        try {
            if (ok == 0) {
                return;
            }
            List<Double> rates = o.ladder(s);
            if (warmed.putIfAbsent(t.name + watch, true) == null) {
                double rate = rates.get(0);
                System.out.printf("  warm-up: %.0f changes/s for %.0f s (not reported)%n", rate, o.warmupSeconds());
                step(t, ok, watch, rate, o.warmupSeconds());
            }
            for (double rate : rates) {
                Step st = step(t, ok, watch, rate, o.stepSeconds());
                steps.add(st);
                System.out.println("  " + Report.line(st));
                if (st.overloaded()) {
                    System.out.println("  (server overloaded at this rate: the ladder stops here)");
                    break;
                }
            }
        } finally {
            gens.disconnect();
            if (!t.socketIo) {
                // a departed SSE client is noticed when a write to it fails: publish a little so the next S starts clean
                writer.run(t.publishUri(), 20, 0.2);
            }
            long left = t.awaitSubscribers(0, Duration.ofSeconds(20));
            if (left != 0) {
                System.out.printf("  note: the server still holds %d subscribers of the last S%n", left);
            }
        }
    }

    private Step step(Target t, int s, String watch, double rate, double seconds) throws Exception {
        long from = writer.next();
        gens.begin(from);
        long server0 = ProcStat.cpuNanos(t.pid());
        long[] gen0 = gens.cpuEach();
        long self0 = ProcStat.cpuNanos(ProcessHandle.current().pid());
        long[] box0 = ProcStat.machine();
        Writer.Result w = writer.run(t.publishUri(), rate, seconds);
        long expected = (w.to() - w.from()) * s;
        long drainEnd = System.nanoTime() + (long) (o.maxDrainSeconds() * 1e9);
        long lastCount = -1;
        long lastChange = System.nanoTime();
        boolean cutOff = false;
        while (true) {
            long got = gens.progress()[0];
            if (got >= expected) {
                break;
            }
            if (System.nanoTime() >= drainEnd) {
                cutOff = true;
                break;
            }
            if (got != lastCount) {
                lastCount = got;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 2_000_000_000L) {
                break; // nothing arrived for 2 s: what is missing is missing
            }
            Thread.sleep(20);
        }
        long end = System.nanoTime();
        Generators.Stats g = gens.stats(w.to());
        double wall = (end - w.startNanos()) / 1e9;
        long server = ProcStat.cpuNanos(t.pid()) - server0;
        long[] gen1 = gens.cpuEach();
        long genSum = 0;
        double busiest = 0;
        for (int i = 0; i < gen1.length; i++) {
            long d = gen1[i] - gen0[i];
            genSum += d;
            busiest = Math.max(busiest, d / (wall * 1e9) / Math.min(gens.threadsEach, Runtime.getRuntime().availableProcessors()));
        }
        long self = ProcStat.cpuNanos(ProcessHandle.current().pid()) - self0;
        long[] box1 = ProcStat.machine();
        double machine = 100.0 * (box1[0] - box0[0]) / Math.max(1, box1[1] - box0[1]);
        double deliverySeconds = (g.lastReceipt() - w.startNanos()) / 1e9;
        return new Step(t.name, t.socketIo ? "room" : watch, s, rate, w.to() - w.from(), w.seconds(), g.distinct(), deliverySeconds,
                g.latency().getValueAtPercentile(50) / 1000.0, g.latency().getValueAtPercentile(99) / 1000.0, g.latency().getMaxValue() / 1000.0,
                g.missing(), g.duplicates(), g.other(), g.bytes(), pct(server, wall), pct(genSum + self, wall), busiest, pct(self, wall),
                machine, wall, w.errors(), w.postMicros().getValueAtPercentile(99) / 1000.0, g.closed(), cutOff);
    }

    static double pct(long cpuNanos, double wallSeconds) {
        return cpuNanos / (wallSeconds * 1e9) * 100;
    }
}
