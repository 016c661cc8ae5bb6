package dev.switchboard.http;

import java.lang.management.ManagementFactory;
import java.time.Clock;

/** Samples this node's {@link Routes.NodeLoad}: the operating system's and the JVM's own figures. */
final class NodeLoads {
    private NodeLoads() {}

    /** The ephemeral topic a node's load is broadcast on; never stored, never replayed. */
    static final String TOPIC = "node/load";
    /** How often the load is broadcast. The default is 2 s (the seed 004 dashboard's refresh). */
    static final java.time.Duration EVERY = java.time.Duration.ofSeconds(2);

    static Routes.NodeLoad sample(Clock clock, boolean healthy) {
        double cpu = -1;
        double process = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getCpuLoad();
            process = os.getProcessCpuLoad();
        }
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long max = rt.maxMemory();
        return new Routes.NodeLoad(clock.instant().toString(), healthy, percent(cpu), percent(process),
                max > 0 ? Math.round(1000.0 * used / max) / 10.0 : -1, used, max, rt.availableProcessors());
    }

    /** A load in [0, 1] as a percentage with one decimal; negative (unknown) stays -1. */
    private static double percent(double load) {
        return load < 0 || Double.isNaN(load) ? -1 : Math.round(load * 1000) / 10.0;
    }
}
