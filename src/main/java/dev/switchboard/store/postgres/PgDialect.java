package dev.switchboard.store.postgres;

import dev.switchboard.store.Dialect;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** PostgreSQL: time columns are timestamptz, compared with OffsetDateTime parameters. */
final class PgDialect implements Dialect {
    static final PgDialect INSTANCE = new PgDialect();

    @Override
    public String name() {
        return "postgresql";
    }

    /** PostgreSQL collations ignore case and punctuation; the engine orders by code point. */
    @Override
    public String binary(String column) {
        return column + " COLLATE \"C\"";
    }

    @Override
    public Object time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
