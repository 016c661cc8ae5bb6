/**
 * Fair turns at a scarce resource ({@link dev.switchboard.turns.Turns}): SQLite's single writer,
 * and the node's cores for the CPU-heavy part of requests (parsing and checking ingested rows,
 * encoding snapshots), handed out so that one tenant's flood cannot keep another tenant waiting.
 */
package dev.switchboard.turns;
