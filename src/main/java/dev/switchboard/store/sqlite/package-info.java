/**
 * The embedded store: SQLite in WAL mode. Capture is by triggers that append every row change,
 * with JSON row images, to {@code sb_changes}; SQLite has one writer at a time, so the log's
 * {@code seq} order is commit order, whoever the writer was (this server, the sqlite3 tool,
 * another program).
 */
package dev.switchboard.store.sqlite;
