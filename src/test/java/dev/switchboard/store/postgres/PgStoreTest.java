package dev.switchboard.store.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A fresh database with the test events table and one store on it, per test class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PgStoreTest {
    PgTestDatabase db;
    PostgresStore store;

    /** Names the test database, e.g. {@code ingest}. */
    abstract String prefix();

    /** Runs after the store closes and before the database is dropped. */
    void beforeDrop() {}

    @BeforeAll
    void setUpStore() {
        db = PgTestDatabase.create(prefix());
        db.exec(Fixtures.EVENTS_DDL);
        store = Fixtures.store(db, "n1");
    }

    @AfterAll
    void tearDownStore() throws Exception {
        if (store != null) {
            store.close();
        }
        if (db != null) {
            beforeDrop();
            db.close();
        }
    }
}
