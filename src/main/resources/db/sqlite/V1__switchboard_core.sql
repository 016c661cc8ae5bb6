-- The change log that capture triggers append to. seq is the position within the epoch; with
-- SQLite's single writer, seq order is commit order.
CREATE TABLE sb_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO sb_meta (name, value) VALUES ('epoch', lower(hex(randomblob(6))));

CREATE TABLE sb_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    dataset     TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('c', 'u', 'd')),
    row_key     TEXT NOT NULL,
    before_row  TEXT,
    after_row   TEXT,
    committed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
