/**
 * The store port: schema migrations, validated ingest, consistent snapshots for bootstrapping
 * live views, and the change source of the database. Adapters live in {@code store.sqlite} and
 * {@code store.postgres}; nothing outside the root package names them.
 */
package dev.switchboard.store;
