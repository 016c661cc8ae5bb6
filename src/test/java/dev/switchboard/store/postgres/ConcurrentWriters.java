package dev.switchboard.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writers on their own connections running interleaved transactions of varying size against
 * {@code events}, some rolled back. A committed transaction ends with a marker row whose
 * {@code commit_no} comes from a sequence read under an advisory lock held until commit, so
 * commit_no order is commit order. Records what each committed transaction wrote.
 */
final class ConcurrentWriters {
    /** One committed transaction: its marker key, commit number and the (op, key) it wrote, in order. */
    record Committed(String marker, long commitNo, List<String> ops) {}

    final Queue<Committed> committed = new ConcurrentLinkedQueue<>();
    final Queue<String> rolledBackKeys = new ConcurrentLinkedQueue<>();
    private final PgTestDatabase db;
    private final String tenant;
    private final AtomicBoolean stop = new AtomicBoolean();

    ConcurrentWriters(PgTestDatabase db, String tenant) {
        this.db = db;
        this.tenant = tenant;
        db.exec("CREATE SEQUENCE IF NOT EXISTS commit_seq");
    }

    /** Runs {@code writers} threads for {@code txPerWriter} transactions each (or until {@link #stop}); waits for them. */
    void run(int writers, int txPerWriter, int maxOps, Runnable whileRunning) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            futures.add(pool.submit(() -> {
                gate.await();
                write(id, txPerWriter, maxOps);
                return null;
            }));
        }
        gate.countDown();
        whileRunning.run();
        for (Future<?> f : futures) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
    }

    void stop() {
        stop.set(true);
    }

    private void write(int writer, int txCount, int maxOps) throws SQLException {
        SplittableRandom random = new SplittableRandom(writer * 7919L);
        List<String> live = new ArrayList<>();
        try (Connection c = db.connect()) {
            c.createStatement().execute("SET synchronous_commit = off"); // order is what we test, not durability
            c.setAutoCommit(false);
            for (int t = 0; t < txCount && !stop.get(); t++) {
                List<String> ops = new ArrayList<>();
                List<String> created = new ArrayList<>();
                List<String> deleted = new ArrayList<>();
                int n = 1 + random.nextInt(maxOps);
                for (int i = 0; i < n; i++) {
                    int choice = random.nextInt(10);
                    if (choice < 6 || live.size() - deleted.size() < 2) {
                        String key = tenant + "-" + writer + "-" + t + "-" + i;
                        exec(c, "INSERT INTO events (id, tenant, at, n) VALUES (?, ?, now(), ?)", key, tenant, (long) i);
                        ops.add("c:" + key);
                        created.add(key);
                    } else {
                        String key = pick(random, live, deleted);
                        if (choice < 8) {
                            exec(c, "UPDATE events SET n = n + 1 WHERE id = ?", key);
                            ops.add("u:" + key);
                        } else {
                            exec(c, "DELETE FROM events WHERE id = ?", key);
                            ops.add("d:" + key);
                            deleted.add(key);
                        }
                    }
                }
                if (random.nextInt(10) == 0) {
                    c.rollback();
                    rolledBackKeys.addAll(created);
                    continue;
                }
                String marker = "mark-" + tenant + "-" + writer + "-" + t;
                exec(c, "SELECT pg_advisory_xact_lock(7)");
                long commitNo;
                try (var rs = c.createStatement().executeQuery("SELECT nextval('commit_seq')")) {
                    rs.next();
                    commitNo = rs.getLong(1);
                }
                exec(c, "INSERT INTO events (id, tenant, at, commit_no) VALUES (?, 'marks', now(), ?)", marker, commitNo);
                ops.add("c:" + marker);
                c.commit();
                live.addAll(created);
                live.removeAll(deleted);
                committed.add(new Committed(marker, commitNo, ops));
            }
        }
    }

    private static String pick(SplittableRandom random, List<String> live, List<String> deleted) {
        while (true) {
            String key = live.get(random.nextInt(live.size()));
            if (!deleted.contains(key)) {
                return key;
            }
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }
}
