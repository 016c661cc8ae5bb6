package dev.switchboard.store.postgres;

/**
 * The identity of a database's change log: {@code id} is the position epoch (the cluster's system
 * identifier and a random value stored in {@code sb_meta}), {@code base} the LSN that positions
 * count from. Both survive restarts; a restored or re-initialized cluster gets a new epoch.
 */
record Epoch(String id, long base) {}
