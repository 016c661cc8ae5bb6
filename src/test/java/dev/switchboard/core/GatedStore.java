package dev.switchboard.core;

import dev.switchboard.change.ChangeSource;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.IngestResult;
import dev.switchboard.store.Store;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A real store whose snapshot reads can be held at a gate: a test arms it for the reads of one
 * thread name or any read, learns when a read reached the gate, and opens it when it wants.
 */
final class GatedStore implements Store {
    private final Store store;
    private final AtomicReference<Gate> gate = new AtomicReference<>();

    /** One armed gate: the first read matching {@code which} waits at it. */
    static final class Gate {
        final Predicate<Thread> which;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);

        Gate(Predicate<Thread> which) {
            this.which = which;
        }

        boolean awaitReached(long seconds) throws InterruptedException {
            return reached.await(seconds, TimeUnit.SECONDS);
        }

        void open() {
            open.countDown();
        }
    }

    GatedStore(Store store) {
        this.store = store;
    }

    /** Holds the next read made on a thread matching {@code which}. */
    Gate arm(Predicate<Thread> which) {
        Gate g = new Gate(which);
        gate.set(g);
        return g;
    }

    @Override
    public <T> T read(SnapshotReader<T> reader) {
        Gate g = gate.get();
        if (g != null && g.which.test(Thread.currentThread()) && gate.compareAndSet(g, null)) {
            g.reached.countDown();
            try {
                if (!g.open.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return store.read(reader);
    }

    @Override
    public Dialect dialect() {
        return store.dialect();
    }

    @Override
    public void migrate(List<Dataset> datasets) {
        store.migrate(datasets);
    }

    @Override
    public ChangeSource changes() {
        return store.changes();
    }

    @Override
    public IngestResult ingest(Dataset dataset, String tenant, List<Map<String, Object>> rows) {
        return store.ingest(dataset, tenant, rows);
    }

    @Override
    public IngestResult delete(Dataset dataset, String tenant, List<String> keys) {
        return store.delete(dataset, tenant, keys);
    }

    @Override
    public int updateOwn(String sql, List<Object> params) {
        return store.updateOwn(sql, params);
    }

    @Override
    public void close() {
        store.close();
    }
}
