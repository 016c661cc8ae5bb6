package dev.switchboard;

import dev.switchboard.store.Store;
import dev.switchboard.store.postgres.PostgresStore;

/** Opens the PostgreSQL store from the URL forms users write. */
final class StoreFactory {
    private StoreFactory() {}

    /** Accepts {@code postgresql://host:port/db?user=..} and {@code jdbc:postgresql://...}. */
    static Store postgres(String url, String node) {
        String jdbc = url.startsWith("jdbc:") ? url : "jdbc:" + url.replaceFirst("^postgres(ql)?://", "postgresql://");
        return PostgresStore.open(jdbc, node);
    }
}
