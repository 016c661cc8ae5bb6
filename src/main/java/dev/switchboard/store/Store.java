package dev.switchboard.store;

import dev.switchboard.change.ChangeSource;
import dev.switchboard.dataset.Dataset;
import java.util.List;
import java.util.Map;

/** Port: one database holding the datasets and their change log. */
public interface Store extends AutoCloseable {

    /** Which SQL dialect this store speaks. */
    Dialect dialect();

    /** Applies migrations and installs change capture on every dataset table. Idempotent. */
    void migrate(List<Dataset> datasets);

    /** The change log of this database. One instance per store; the feed owns reading it. */
    ChangeSource changes();

    /**
     * Upserts validated rows of one tenant in one transaction: a row whose key exists in the
     * tenant is updated in the columns it carries, a new row is inserted. Keys are private to a
     * tenant (the primary key is (tenant, key)): other tenants' rows of the same key are neither
     * seen nor touched. Nothing is written if any row fails.
     *
     * @throws IngestException naming the row and field at fault
     */
    IngestResult ingest(Dataset dataset, String tenant, List<Map<String, Object>> rows);

    /**
     * Deletes rows of one tenant by key in one transaction; keys the tenant has no row of are
     * skipped (another tenant's rows of the same key stay). Returns the count deleted and the position of the commit.
     */
    IngestResult delete(Dataset dataset, String tenant, List<String> keys);

    /**
     * Runs one statement on Switchboard's own tables (such as {@code sb_api_keys}), never a
     * dataset's: nothing is captured. Parameters bind to {@code ?}. Returns the rows changed.
     */
    int updateOwn(String sql, List<Object> params);

    /**
     * Runs {@code reader} on a consistent snapshot of the database: its queries all see the same
     * committed state, and {@link Snapshot#includes} tells which changes that state already holds.
     */
    <T> T read(SnapshotReader<T> reader);

    @Override
    void close();

    /** Reads inside a snapshot. */
    @FunctionalInterface
    interface SnapshotReader<T> {
        T read(Snapshot snapshot);
    }
}
