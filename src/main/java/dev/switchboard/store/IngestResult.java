package dev.switchboard.store;

import dev.switchboard.change.Position;

/** What an ingest wrote: the number of rows and the position of its commit. */
public record IngestResult(int count, Position position) {}
