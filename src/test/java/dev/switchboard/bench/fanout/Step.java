package dev.switchboard.bench.fanout;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured step: S subscribers of one system, a publish rate held for a few seconds, then a
 * drain. CPU figures are percent of one core over the step (publishing plus drain).
 *
 * @param watch what Switchboard's clients subscribe to ({@code datasets=call_logs}, ...); "room" for Socket.IO
 * @param published changes the writer published (sequence numbers)
 * @param delivered first copies of change events received, over all subscribers
 * @param deliverySeconds from the step's first publish to its last receipt; deliveries/s divide by the longer of this
 *     and the publishing time
 * @param wallSeconds the step's wall time (publishing plus drain), the denominator of the CPU figures
 * @param cutOff the drain ended at its time limit while events were still arriving: {@code missing} counts
 *     events not delivered yet, not necessarily lost
 * @param genBusiest the busiest generator process's CPU as a fraction of its selector threads
 */
record Step(String system, String watch, int subscribers, double rate, long published, double publishSeconds, long delivered,
            double deliverySeconds, double p50, double p99, double max, long missing, long duplicates, long other, long bytes,
            double serverCpu, double generatorCpu, double genBusiest, double writerCpu, double machineBusy, double wallSeconds, long writeErrors,
            double writeP99, long closed, boolean cutOff) {

    static final double SATURATED = 0.85;

    double offeredPerSecond() {
        return published / publishSeconds * subscribers;
    }

    double deliveredPerSecond() {
        double seconds = Math.max(publishSeconds, deliverySeconds); // a fan-out cannot deliver faster than it is fed
        return seconds <= 0 ? 0 : delivered / seconds;
    }

    /** Server CPU per delivered event, microseconds. */
    double serverMicrosPerDelivery() {
        return delivered == 0 ? 0 : serverCpu / 100 * wallSeconds * 1e6 / delivered;
    }

    boolean generatorSaturated() {
        return genBusiest >= SATURATED || writerCpu >= SATURATED * 100;
    }

    boolean lagging() {
        return deliveredPerSecond() < 0.9 * offeredPerSecond();
    }

    /** The ladder stops after a step the server could not keep up with. */
    boolean overloaded() {
        return p99 > 1000 || deliveredPerSecond() < 0.8 * offeredPerSecond() || missing > 0.01 * published * subscribers;
    }

    /** Counts toward "sustained": p99 within 100 ms, nothing lost or doubled, the generator not the bottleneck. */
    boolean sustained() {
        return p99 <= 100 && missing == 0 && duplicates == 0 && !generatorSaturated() && !lagging() && writeErrors == 0;
    }

    String flags() {
        List<String> f = new ArrayList<>();
        if (generatorSaturated()) {
            f.add("GEN-SATURATED");
        }
        if (machineBusy >= 90) {
            f.add("box-busy");
        }
        if (lagging()) {
            f.add("lagging");
        }
        if (missing > 0) {
            f.add(cutOff ? "CUT-OFF" : "LOSS");
        }
        if (duplicates > 0) {
            f.add("DUP");
        }
        if (writeErrors > 0) {
            f.add("write-errors:" + writeErrors);
        }
        if (closed > 0) {
            f.add("closed:" + closed);
        }
        return String.join(" ", f);
    }

    static final String[] HEAD = {"system", "S", "asked/s", "published/s", "offered/s", "delivered/s", "p50 ms", "p99 ms", "max ms", "missing", "dup",
        "server CPU", "server µs/delivery", "generator CPU", "machine busy", "B/event", "flags"};

    String[] cells() {
        return new String[] {
            system + (watch.startsWith("dashboards") ? " +dashboards" : ""), String.format("%,d", subscribers), num(rate), num(published / publishSeconds),
            num(offeredPerSecond()), num(deliveredPerSecond()), ms(p50), ms(p99), ms(max), missing + (cutOff && missing > 0 ? "*" : ""), String.valueOf(duplicates),
            String.format("%.0f%%", serverCpu), String.format("%.1f", serverMicrosPerDelivery()), String.format("%.0f%%", generatorCpu),
            String.format("%.0f%%", machineBusy), delivered == 0 ? "-" : String.valueOf(bytes / Math.max(1, delivered + other)), flags()};
    }

    static String num(double v) {
        return String.format("%,.0f", v);
    }

    static String ms(double v) {
        return v < 10 ? String.format("%.2f", v) : String.format("%,.0f", v);
    }
}
