package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Nodes that start together on a new, empty database migrate it together (regression: one found
 * the schema empty and created the history table; another, a moment later, found the history table
 * missing but the schema no longer empty (it now held that table), went to baseline, and found the
 * table there and still empty: "Unable to baseline schema history table ... as it already exists,
 * and is empty", and the node did not start).
 */
@Tag("slow")
class ConcurrentMigrationTest {
    static final int ROUNDS = 8;
    static final int NODES = 4;

    @Test
    void nodesMigratingANewDatabaseAtOnce_allStart_eachMigrationAppliedOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            try (PgTestDatabase db = PgTestDatabase.create("migrate")) {
                List<PostgresStore> stores = new ArrayList<>();
                try {
                    stores.add(PostgresStore.open(db.url, "m-0", Fixtures.settings(), Clock.systemUTC()));
                    for (int n = 1; n < NODES; n++) {
                        stores.add(PostgresStore.open(db.url, "m-" + n, Fixtures.settings(), Clock.systemUTC()));
                    }
                    CyclicBarrier gate = new CyclicBarrier(stores.size());
                    List<CompletableFuture<Void>> migrations = stores.stream().map(s -> CompletableFuture.runAsync(() -> {
                        try {
                            gate.await(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        s.migrate(List.of()); // Switchboard's own tables only: the schema starts empty
                    }, r -> Thread.ofPlatform().name("migrate").start(r))).toList();
                    for (CompletableFuture<Void> m : migrations) {
                        m.get(2, TimeUnit.MINUTES); // throws the migration's failure, if any
                    }
                    try (Connection c = db.connect(); var st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT version) FROM sb_schema_history WHERE success AND version <> '0'")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("migrations applied").isPositive().isEqualTo(rs.getInt(2));
                    }
                } finally {
                    for (PostgresStore s : stores) {
                        s.close();
                    }
                }
            }
        }
    }
}
