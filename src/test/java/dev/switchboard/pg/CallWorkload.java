package dev.switchboard.pg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Interleaved transactions of varying length against {@code call_logs}, written straight to
 * PostgreSQL (JDBC connections and {@code psql} processes), not through Switchboard.
 *
 * <p>Commit order is recorded independently of capture: a transaction that commits ends by taking
 * a transaction-level advisory lock, held until its commit, and inserting its label into
 * {@code tx_log} (not a dataset table, so not captured), whose {@code commit_no} comes from a
 * sequence. Commits are thus serialized in {@code commit_no} order, and {@link #expected} rebuilds
 * the exact change stream a subscriber must see. About 10% of transactions roll back.
 */
public final class CallWorkload {
    /** One statement and the change it makes: op {@code c}/{@code u}/{@code d}, key, tenant. */
    public record Op(char op, String key, String tenant, String sql) {
        public String opKey() {
            return op + ":" + key;
        }
    }

    /** One transaction: its label (the {@code tx_log} row), statements, and whether it rolls back. */
    public record Tx(String label, List<Op> ops, boolean rollback) {
        int changes() {
            return ops.size();
        }
    }

    private static final String[] OUTCOMES = {"completed", "no_answer", "failed", "voicemail", "completed"};

    private final PgDatabase db;
    private final Map<String, Tx> planned = new ConcurrentHashMap<>();
    /** Labels of transactions their writer saw commit. */
    public final Queue<String> committed = new ConcurrentLinkedQueue<>();
    /** Keys inserted only by transactions that rolled back. */
    public final Queue<String> rolledBackKeys = new ConcurrentLinkedQueue<>();
    /** Row changes committed so far (by writers' own count). */
    public final AtomicLong committedChanges = new AtomicLong();
    /** Writer-side failures that were retried (connection lost, server restarting). */
    public final AtomicLong retries = new AtomicLong();
    private final AtomicLong rowClock = new AtomicLong();
    private final Instant base = Instant.now().minusSeconds(60);

    public CallWorkload(PgDatabase db) {
        this.db = db;
        db.exec("CREATE SEQUENCE IF NOT EXISTS commit_seq");
        db.exec("CREATE TABLE IF NOT EXISTS tx_log (commit_no bigint PRIMARY KEY DEFAULT nextval('commit_seq'), label text UNIQUE NOT NULL)");
    }

    /**
     * A deterministic generator of one writer's transactions over its own keys: inserts, updates
     * and deletes of rows it created before (or earlier in the same transaction). Its idea of
     * which rows exist moves only when a transaction is known to have committed.
     */
    public final class Plan {
        private final String prefix;
        private final SplittableRandom random;
        private final int maxOps;
        private final double t1Share;
        private final List<String[]> live = new ArrayList<>(); // {key, tenant}
        private int txNo;

        public Plan(String prefix, long seed, int maxOps, double t1Share) {
            this.prefix = prefix;
            this.random = new SplittableRandom(seed);
            this.maxOps = maxOps;
            this.t1Share = t1Share;
        }

        /** The next transaction, from the rows known to exist. */
        public Tx next() {
            int t = txNo++;
            List<String[]> rows = new ArrayList<>(live);
            List<Op> ops = new ArrayList<>();
            int n = 1 + random.nextInt(maxOps);
            for (int i = 0; i < n; i++) {
                int choice = random.nextInt(10);
                if (choice < 5 || rows.size() < 3) {
                    String tenant = random.nextDouble() < t1Share ? "t1" : "t2";
                    String key = prefix + "-" + t + "-" + i;
                    boolean active = random.nextBoolean();
                    String started = base.minusMillis(rowClock.incrementAndGet() * 3).toString();
                    ops.add(new Op('c', key, tenant, "INSERT INTO call_logs (id, user_id, agent_config_id, phone_number, status, outcome, started_at, duration) "
                            + "VALUES ('" + key + "', '" + tenant + "', 'agent-" + random.nextInt(5) + "', '+1555" + random.nextInt(10_000) + "', '"
                            + (active ? "active" : "ended") + "', " + (active ? "NULL" : "'" + OUTCOMES[random.nextInt(OUTCOMES.length)] + "'")
                            + ", '" + started + "', " + (active ? 0 : random.nextInt(600)) + ")"));
                    rows.add(new String[] {key, tenant});
                } else {
                    int at = random.nextInt(rows.size());
                    String[] row = rows.get(at);
                    if (choice < 8) {
                        ops.add(new Op('u', row[0], row[1], "UPDATE call_logs SET status = 'ended', outcome = '"
                                + OUTCOMES[random.nextInt(OUTCOMES.length)] + "', duration = duration + " + (1 + random.nextInt(90))
                                + " WHERE id = '" + row[0] + "'"));
                    } else {
                        ops.add(new Op('d', row[0], row[1], "DELETE FROM call_logs WHERE id = '" + row[0] + "'"));
                        rows.remove(at);
                    }
                }
            }
            boolean rollback = random.nextInt(10) == 0;
            Tx tx = new Tx(prefix + "-" + t, List.copyOf(ops), rollback);
            planned.put(tx.label(), tx);
            pending = rollback ? null : rows;
            return tx;
        }

        private List<String[]> pending;

        /** The last transaction from {@link #next} committed (or rolled back as planned): move on. */
        public void done(Tx tx) {
            if (tx.rollback()) {
                tx.ops().stream().filter(o -> o.op() == 'c').forEach(o -> rolledBackKeys.add(o.key()));
            } else {
                live.clear();
                live.addAll(pending);
                committed.add(tx.label());
                committedChanges.addAndGet(tx.changes());
            }
        }
    }

    /**
     * Runs one writer on its own connection until {@code keepGoing} turns false. A failed
     * transaction is retried, the same one, after reconnecting, unless {@code tx_log} shows it
     * committed after all (the commit's answer was lost with the connection).
     */
    public void runJdbc(Plan plan, boolean synchronousCommit, BooleanSupplier keepGoing) {
        runJdbc(plan, synchronousCommit, keepGoing, 0);
    }

    /** As {@link #runJdbc(Plan, boolean, BooleanSupplier)}, pausing {@code pauseMillis} after each transaction. */
    public void runJdbc(Plan plan, boolean synchronousCommit, BooleanSupplier keepGoing, long pauseMillis) {
        Connection c = null;
        Tx tx = null;
        int failures = 0;
        while (keepGoing.getAsBoolean() || tx != null) {
            if (tx == null) {
                tx = plan.next();
            }
            try {
                if (c == null) {
                    c = db.connect();
                    try (Statement st = c.createStatement()) {
                        st.execute("SET synchronous_commit = " + (synchronousCommit ? "on" : "off"));
                    }
                    c.setAutoCommit(false);
                }
                try (Statement st = c.createStatement()) {
                    for (Op op : tx.ops()) {
                        st.execute(op.sql());
                    }
                    if (tx.rollback()) {
                        c.rollback();
                    } else {
                        st.execute("SELECT pg_advisory_xact_lock(7)");
                        st.execute("INSERT INTO tx_log (label) VALUES ('" + tx.label() + "')");
                        c.commit();
                    }
                }
                plan.done(tx);
                tx = null;
                failures = 0;
                if (pauseMillis > 0) {
                    sleep(pauseMillis);
                }
            } catch (SQLException e) {
                retries.incrementAndGet();
                if (++failures > 2000) {
                    throw new IllegalStateException("transaction " + tx.label() + " keeps failing", e);
                }
                closeQuietly(c);
                c = null;
                if (tx.rollback() || committedAfterAll(tx)) {
                    plan.done(tx);
                    tx = null;
                }
                sleep(50);
            }
        }
        closeQuietly(c);
    }

    private boolean committedAfterAll(Tx tx) {
        while (true) {
            try (Connection c = db.connect(); var rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM tx_log WHERE label = '" + tx.label() + "'")) {
                rs.next();
                return rs.getLong(1) == 1;
            } catch (SQLException e) {
                sleep(100); // the server is still away
            }
        }
    }

    /**
     * Writes {@code txCount} transactions of {@code plan} through a separate {@code psql} process
     * (one script on stdin, stopping at the first error) and waits for it.
     */
    public void runPsql(Plan plan, int txCount, Path scratch) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("\\set ON_ERROR_STOP 1\n");
        List<Tx> txs = new ArrayList<>();
        for (int i = 0; i < txCount; i++) {
            Tx tx = plan.next();
            script.append("BEGIN;\n");
            tx.ops().forEach(op -> script.append(op.sql()).append(";\n"));
            if (tx.rollback()) {
                script.append("ROLLBACK;\n");
            } else {
                script.append("SELECT pg_advisory_xact_lock(7);\nINSERT INTO tx_log (label) VALUES ('").append(tx.label()).append("');\nCOMMIT;\n");
            }
            plan.done(tx); // psql runs them all or fails the test
            txs.add(tx);
        }
        Path file = Files.createTempFile(scratch, "psql-", ".sql");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        Path log = Files.createTempFile(scratch, "psql-", ".log");
        Process p = new ProcessBuilder("psql", "-X", "-q", "-o", "/dev/null", "-d", db.libpqUrl(), "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("psql did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("psql failed (" + p.exitValue() + "): " + Files.readString(log));
        }
    }

    /** The transactions in {@code tx_log}, in commit order. */
    public List<Tx> commitOrder() throws SQLException {
        List<Tx> out = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT label FROM tx_log ORDER BY commit_no")) {
            while (rs.next()) {
                Tx tx = planned.get(rs.getString(1));
                if (tx == null) {
                    throw new IllegalStateException("tx_log holds an unplanned transaction " + rs.getString(1));
                }
                out.add(tx);
            }
        }
        return out;
    }

    /** The changes a subscriber of {@code tenant} must see, in order, as {@code op:key}. */
    public List<String> expected(String tenant) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Tx tx : commitOrder()) {
            tx.ops().stream().filter(o -> o.tenant().equals(tenant)).forEach(o -> out.add(o.opKey()));
        }
        return out;
    }

    /** Where two change lists first differ, for a readable failure. */
    public static String firstDifference(List<String> expected, List<String> actual) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "at " + i + ": expected " + expected.subList(i, Math.min(n, i + 5)) + " got " + actual.subList(i, Math.min(n, i + 5));
            }
        }
        return expected.size() == actual.size() ? "none" : "lengths " + expected.size() + " vs " + actual.size();
    }

    /** Counts of each {@code op:key} received more than once. */
    public static Map<String, Integer> duplicates(List<String> received) {
        Map<String, Integer> counts = new HashMap<>();
        received.forEach(k -> counts.merge(k, 1, Integer::sum));
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v > 1 && !k.startsWith("u:")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
