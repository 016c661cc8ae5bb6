/**
 * The PostgreSQL store: Flyway migrations from {@code db/postgresql}, validated upserts, REPEATABLE
 * READ snapshots that know exactly which changes they hold, and change capture by logical
 * replication ({@code pgoutput}, decoded here) from one durable slot per node.
 *
 * <p>{@link dev.switchboard.store.postgres.PostgresStore} is the only public type. Positions are
 * derived from the WAL (commit LSN and index within the transaction), so every node reading the
 * same database assigns the same position to the same change and a client may resume on any node.
 * See {@code docs/POSTGRESQL.md} for the server settings and the slot retention rules.
 */
package dev.switchboard.store.postgres;
