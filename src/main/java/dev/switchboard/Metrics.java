package dev.switchboard;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.store.Store;
import dev.switchboard.store.postgres.PostgresStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process-level series of {@code /metrics}: JVM (memory, GC, threads, classes), process (CPU,
 * uptime, file descriptors), the HikariCP pool ({@code hikaricp_connections_*}) and, on
 * PostgreSQL, capture lag ({@code switchboard_capture_lag_bytes}, {@code _seconds}). HTTP request
 * series come from the HTTP server; the engine's own from {@link Switchboard}.
 */
final class Metrics {
    /** How often capture lag is measured (a query on the database). */
    static final long LAG_EVERY_SECONDS = 5;

    private Metrics() {}

    /**
     * Registers the series in {@code registry}. Lag is measured on a thread of its own (a query
     * may wait for the pool while PostgreSQL is away, which must not hold up the server's timers);
     * the thread ends once the store's pool is closed. Closing the result removes the JVM's GC
     * listeners, which would otherwise keep the registry alive.
     */
    static AutoCloseable bind(MeterRegistry registry, Store store) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (store instanceof PostgresStore pg && pg.pool() instanceof HikariDataSource hikari) {
            hikari.setMetricRegistry(registry);
            AtomicReference<PostgresStore.Lag> lag = new AtomicReference<>(new PostgresStore.Lag(-1, -1));
            Gauge.builder("switchboard_capture_lag_bytes", lag, l -> l.get().bytes())
                    .description("WAL bytes this node's capture has not yet confirmed (-1 while not streaming)").register(registry);
            Gauge.builder("switchboard_capture_lag_seconds", lag, l -> l.get().seconds())
                    .description("Capture's flush lag as PostgreSQL measures it (-1 while not streaming)").register(registry);
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("sb-capture-lag").factory());
            timer.scheduleWithFixedDelay(() -> {
                if (hikari.isClosed()) {
                    timer.shutdown();
                    return;
                }
                lag.set(pg.captureLag().orElse(new PostgresStore.Lag(-1, -1)));
            }, 0, LAG_EVERY_SECONDS, TimeUnit.SECONDS);
        }
        return gc;
    }
}
