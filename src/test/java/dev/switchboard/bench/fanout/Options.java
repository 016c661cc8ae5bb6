package dev.switchboard.bench.fanout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@code ./switchboard bench fanout} and {@code bench memory}; see {@link #USAGE}.
 */
record Options(List<Integer> subscribers, List<Double> rates, List<Long> offered, double stepSeconds, double warmupSeconds,
               List<String> systems, int dashboardsRun, int generators, int threads, boolean spread, double maxDrainSeconds,
               List<String> serverJvm, double postsPerSecond) {

    static final String USAGE = """
            ./switchboard bench fanout [options]     Switchboard vs a minimal Socket.IO server, same generator, same run
              --quick                 2 s steps, offered 10k/100k/300k deliveries/s, no dashboards run (about 4 min)
              --subscribers 100,1000  subscriber counts S (default 100,1000,10000)
              --rates 10,100          publish rates in changes/s for every S (default: the offered ladder divided by S)
              --offered 10000,30000   offered deliveries/s ladder (default 10k,20k,40k,100k,300k,1m); rate = offered / S, at most 5,000/s
              --step-seconds 4        publishing time per step (default 4), then a drain of at most max(5, 2 x step) s
              --systems switchboard,socketio   which systems: switchboard (SSE), switchboard-ws (its native WebSocket),
                                      switchboard-sio (its Socket.IO), socketio (the Node baseline); default all four
              --dashboards-run 1000   S of the extra Switchboard run watching dashboards=calls too (0 = none; default 1000)
              --generators N          load-generator processes (default: one per 8,000 connections, at least 2 from 10,000)
              --threads N             selector threads per generator process (default: 2 with one process, else 1)
              --posts-per-second 50   most POSTs per second of the writer (default 50); above it a POST carries several rows
              --spread-ips            bind generator i to 127.0.0.(2+i) (needed above ~28,000 connections to one port)
              --server-jvm "-Xmx2g"   extra JVM options of the Switchboard server
            ./switchboard bench memory [--subscribers 1000,10000,18000] [--generators N] [--server-jvm ...]
            """;

    static Options parse(String[] args, List<Integer> defaultSubscribers) {
        List<Integer> subs = defaultSubscribers;
        List<Double> rates = List.of();
        List<Long> offered = List.of(10_000L, 20_000L, 40_000L, 100_000L, 300_000L, 1_000_000L);
        double step = 4;
        double warmup = 3;
        List<String> systems = List.of("switchboard", "switchboard-ws", "switchboard-sio", "socketio");
        int dashboards = 1000;
        int generators = 0;
        int threads = 0;
        boolean spread = false;
        List<String> jvm = List.of();
        double posts = 50;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> {
                    step = 2;
                    warmup = 1;
                    offered = List.of(10_000L, 100_000L, 300_000L);
                    dashboards = 0;
                }
                case "--subscribers" -> subs = Arrays.stream(value(args, ++i, a).split(",")).map(s -> (int) count(s)).toList();
                case "--rates" -> rates = Arrays.stream(value(args, ++i, a).split(",")).map(Double::parseDouble).toList();
                case "--offered" -> offered = Arrays.stream(value(args, ++i, a).split(",")).map(Options::count).toList();
                case "--step-seconds" -> step = Double.parseDouble(value(args, ++i, a));
                case "--systems" -> systems = List.of(value(args, ++i, a).split(","));
                case "--dashboards-run" -> dashboards = (int) count(value(args, ++i, a));
                case "--generators" -> generators = Integer.parseInt(value(args, ++i, a));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, a));
                case "--spread-ips" -> spread = true;
                case "--posts-per-second" -> posts = Double.parseDouble(value(args, ++i, a));
                case "--server-jvm" -> jvm = List.of(value(args, ++i, a).trim().split("\\s+"));
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        for (String s : systems) {
            if (!List.of("switchboard", "switchboard-ws", "switchboard-sio", "socketio").contains(s)) {
                throw new IllegalArgumentException("--systems takes switchboard, switchboard-ws, switchboard-sio and/or socketio, not " + s);
            }
        }
        int max = subs.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (generators <= 0) {
            generators = Math.max(max >= 10_000 ? 2 : 1, (max + 7_999) / 8_000);
        }
        if (threads <= 0) {
            threads = generators == 1 ? 2 : 1;
        }
        if ((long) max / generators > 19_000) {
            throw new IllegalArgumentException(max + " connections over " + generators + " generator processes is more than the 20,000 open files a process may have; add --generators");
        }
        return new Options(subs, rates, offered, step, warmup, systems, dashboards, generators, threads, spread || max > 25_000,
                Math.max(5, step * 2), jvm, posts);
    }

    /** The publish rates (changes/s) for {@code s} subscribers: the given rates, or the offered ladder divided by S, at most 5,000/s. */
    List<Double> ladder(int s) {
        if (!rates.isEmpty()) {
            return rates;
        }
        List<Double> out = new ArrayList<>();
        for (long d : offered) {
            double r = Math.min(5_000, Math.max(1, Math.round((double) d / s)));
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    static long count(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
        return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
    }
}
