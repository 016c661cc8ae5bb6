package dev.switchboard.bench.fanout;

import dev.switchboard.bench.ProcStat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The benchmark's printed output: a header naming the machine, one line per step, and Markdown tables at the end. */
final class Report {
    private Report() {}

    static void header(String what, String[] args, Options o) {
        System.out.printf("Switchboard %s benchmark, %s%n", what, Instant.now().truncatedTo(ChronoUnit.SECONDS));
        System.out.printf("command: ./switchboard bench %s%n", String.join(" ", args).isEmpty() ? what.replace("fan-out", "fanout")
                : (what.replace("fan-out", "fanout") + " " + String.join(" ", args)).replace("fanout fanout", "fanout"));
        System.out.printf("machine: %d CPUs (%s), %s RAM; JDK %s; node %s; loopback only%n", Runtime.getRuntime().availableProcessors(), cpuModel(),
                memTotal(), Runtime.version(), nodeVersion());
        System.out.printf("generators: %d process(es) x %d selector thread(s)%s%s%n", o.generators(), o.threads(),
                o.spread() ? ", bound to 127.0.0.2..." : "", what.equals("fan-out") ? "; the writer (at most " + Step.num(o.postsPerSecond())
                        + " POSTs/s, more rows per POST above that) runs in this process and its CPU counts as the generator's" : "");
        System.out.println(background());
    }

    static String line(Step s) {
        String[] c = s.cells();
        return String.format("%-15s S=%-6s %5s changes/s (published %s/s) -> %9s/s delivered (offered %s), p50 %s p99 %s max %s ms, missing %s "
                + "dup %s, server %s (%s us/delivery), generator %s, machine %s, write p99 %s ms %s", c[0], c[1], c[2], c[3], c[5], c[4], c[6],
                c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], Step.ms(s.writeP99()), c[16]);
    }

    static void results(List<Step> steps) {
        System.out.println();
        System.out.println("All steps (CPU in % of one core over the step, publishing plus drain; latency from the writer's call to the client's receipt;");
        System.out.println("asked = the rate asked of the writer, published = what it achieved (a server slow to answer its POSTs holds it back);");
        System.out.println("missing with * = not yet delivered when the drain's time limit cut the step off):");
        System.out.println();
        List<String[]> rows = new ArrayList<>();
        steps.forEach(s -> rows.add(s.cells()));
        table(Step.HEAD, rows);
        sideBySide(steps);
        transports(steps);
        targets(steps);
    }

    /** Switchboard's transports at the same S and rate: SSE, its native WebSocket, its Socket.IO, and the Node baseline. */
    private static void transports(List<Step> steps) {
        String[] systems = {"switchboard", "switchboard-ws", "switchboard-sio", "socket.io"};
        List<String[]> rows = new ArrayList<>();
        steps.stream().filter(a -> a.system().startsWith("switchboard") && a.watch().equals(FanoutBench.DATASETS))
                .map(a -> List.of(a.subscribers(), (int) a.rate())).distinct().forEach(k -> {
                    List<String> r = new ArrayList<>(List.of(String.format("%,d", k.get(0)), Step.num(k.get(1))));
                    for (String sys : systems) {
                        Optional<Step> x = steps.stream().filter(v -> v.system().equals(sys) && v.subscribers() == k.get(0) && (int) v.rate() == k.get(1)
                                && (sys.equals("socket.io") || v.watch().equals(FanoutBench.DATASETS))).findFirst();
                        r.add(x.map(v -> Step.num(v.deliveredPerSecond()) + " / " + Step.ms(v.p99()) + " / " + String.format("%.1f", v.serverMicrosPerDelivery())
                                + " / " + String.format("%.0f%%", v.generatorCpu()) + (v.flags().isEmpty() ? "" : " " + v.flags())).orElse("-"));
                    }
                    rows.add(r.toArray(String[]::new));
                });
        if (rows.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Switchboard's transports, same S and rate (each cell: delivered/s / p99 ms / server µs per delivery / generator CPU, flags):");
        System.out.println();
        table(new String[] {"S", "changes/s asked", "switchboard SSE", "switchboard WebSocket", "switchboard Socket.IO", "socket.io (Node)"}, rows);
    }

    private static void sideBySide(List<Step> steps) {
        List<String[]> rows = new ArrayList<>();
        for (Step a : steps) {
            if (!a.system().equals("switchboard") || !a.watch().equals(FanoutBench.DATASETS)) {
                continue;
            }
            Optional<Step> b = steps.stream().filter(x -> x.system().equals("socket.io") && x.subscribers() == a.subscribers()
                    && x.rate() == a.rate()).findFirst();
            rows.add(new String[] {String.format("%,d", a.subscribers()), Step.num(a.rate()), Step.num(a.deliveredPerSecond()),
                b.map(x -> Step.num(x.deliveredPerSecond())).orElse("-"), Step.ms(a.p99()), b.map(x -> Step.ms(x.p99())).orElse("-"),
                String.format("%.1f", a.serverMicrosPerDelivery()), b.map(x -> String.format("%.1f", x.serverMicrosPerDelivery())).orElse("-"),
                b.map(x -> ratio(x.serverMicrosPerDelivery(), a.serverMicrosPerDelivery())).orElse("-"),
                (a.flags() + b.map(x -> x.flags().isEmpty() ? "" : " / sio: " + x.flags()).orElse("")).trim()});
        }
        System.out.println();
        System.out.println("Side by side, same S and rate (CPU ratio > 1: Switchboard spends less server CPU per delivery than socket.io):");
        System.out.println();
        table(new String[] {"S", "changes/s asked", "switchboard delivered/s", "socket.io delivered/s", "switchboard p99 ms", "socket.io p99 ms",
            "switchboard µs/delivery", "socket.io µs/delivery", "CPU ratio", "flags"}, rows);
        System.out.println();
        System.out.println("Best sustained deliveries/s per S (p99 <= 100 ms, nothing missing or doubled, generator not saturated, keeping up):");
        System.out.println();
        List<String[]> best = new ArrayList<>();
        steps.stream().map(Step::subscribers).distinct().forEach(s -> {
            Optional<Step> x = best(steps, "switchboard", FanoutBench.DATASETS, s);
            Optional<Step> y = best(steps, "socket.io", "room", s);
            Optional<Step> z = best(steps, "switchboard", FanoutBench.DASHBOARDS, s);
            Optional<Step> ws = best(steps, "switchboard-ws", FanoutBench.DATASETS, s);
            Optional<Step> sio = best(steps, "switchboard-sio", FanoutBench.DATASETS, s);
            best.add(new String[] {String.format("%,d", s), x.map(v -> Step.num(v.deliveredPerSecond())).orElse("none"),
                y.map(v -> Step.num(v.deliveredPerSecond())).orElse("none"),
                x.isPresent() && y.isPresent() ? ratio(x.get().deliveredPerSecond(), y.get().deliveredPerSecond()) : "-",
                z.map(v -> Step.num(v.deliveredPerSecond())).orElse("-"),
                ws.map(v -> Step.num(v.deliveredPerSecond())).orElse("none"), sio.map(v -> Step.num(v.deliveredPerSecond())).orElse("none")});
        });
        table(new String[] {"S", "switchboard", "socket.io", "ratio", "switchboard +dashboards", "switchboard WebSocket", "switchboard Socket.IO"}, best);
    }

    private static void targets(List<Step> steps) {
        System.out.println();
        Optional<Step> top = steps.stream().filter(s -> s.system().equals("switchboard") && s.watch().equals(FanoutBench.DATASETS) && s.sustained())
                .max((a, b) -> Double.compare(a.deliveredPerSecond(), b.deliveredPerSecond()));
        System.out.printf("Target >= 300,000 deliveries/s at p99 <= 100 ms: best sustained %s -> %s%n",
                top.map(s -> Step.num(s.deliveredPerSecond()) + "/s (S=" + s.subscribers() + ", " + Step.num(s.rate()) + " changes/s, p99 "
                        + Step.ms(s.p99()) + " ms)").orElse("none"),
                top.filter(s -> s.deliveredPerSecond() >= 300_000).isPresent() ? "MET" : "NOT MET");
        Optional<Step> k = steps.stream().filter(s -> s.system().equals("switchboard") && s.watch().equals(FanoutBench.DATASETS)
                && s.subscribers() == 1000 && s.rate() == 1000).findFirst();
        System.out.printf("Target at 1,000 subscribers and 1,000 changes/s, p50 <= 5 ms and p99 <= 25 ms: %s%n",
                k.map(s -> "p50 " + Step.ms(s.p50()) + " ms, p99 " + Step.ms(s.p99()) + " ms, missing " + s.missing() + " -> "
                        + (s.p50() <= 5 && s.p99() <= 25 && s.missing() == 0 && !s.generatorSaturated() ? "MET" : "NOT MET")
                        + (s.flags().isEmpty() ? "" : " [" + s.flags() + "]"))
                        .orElse(notReached(steps)));
    }

    private static String notReached(List<Step> steps) {
        return steps.stream().filter(s -> s.system().equals("switchboard") && s.watch().equals(FanoutBench.DATASETS) && s.subscribers() == 1000
                        && s.overloaded()).findFirst()
                .map(s -> "NOT MET: not reached; at S=1000 the server already fell behind at " + Step.num(s.rate()) + " changes/s (p99 "
                        + Step.ms(s.p99()) + " ms), so the ladder stopped there")
                .orElse("not measured (no step at S=1000 and 1000 changes/s with these options)");
    }

    private static Optional<Step> best(List<Step> steps, String system, String watch, int s) {
        return steps.stream().filter(x -> x.system().equals(system) && x.watch().equals(watch) && x.subscribers() == s && x.sustained())
                .max((a, b) -> Double.compare(a.deliveredPerSecond(), b.deliveredPerSecond()));
    }

    static String ratio(double a, double b) {
        return b <= 0 ? "-" : String.format("%.2f", a / b);
    }

    static void table(String[] head, List<String[]> rows) {
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            w[i] = head[i].length();
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < head.length; i++) {
            sb.append(' ').append(pad(head[i], w[i], false)).append(" |");
            rule.append(i == 0 ? ":" : "-").append("-".repeat(w[i])).append(i == 0 ? "-|" : ":|");
        }
        System.out.println(sb);
        System.out.println(rule);
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(pad(r[i], w[i], i > 0)).append(" |");
            }
            System.out.println(line);
        }
    }

    private static String pad(String s, int w, boolean left) {
        String fill = " ".repeat(Math.max(0, w - s.length()));
        return left ? fill + s : s + fill;
    }

    /** How busy the machine is before the benchmark starts anything: other users' load makes every figure worse. */
    static String background() {
        long[] a = ProcStat.machine();
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] b = ProcStat.machine();
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (IOException e) {
            load = "?";
        }
        return String.format("background: machine %.0f%% busy over 2 s before the run (other processes), load average %s", 100.0 * (b[0] - a[0])
                / Math.max(1, b[1] - a[1]), load);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> (Long.parseLong(l.replaceAll("[^0-9]", "")) >> 20) + " GiB").findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return v;
        } catch (IOException e) {
            return "not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
