-- Switchboard's own tables on PostgreSQL. Changes are captured from the WAL by logical
-- replication (publication 'switchboard', one slot per node), so there is no change log table.

-- epoch: random part of the change log's identity; sysid and base_lsn are recorded by the first
-- node that starts (positions count WAL bytes from base_lsn).
CREATE TABLE sb_meta (
    name  text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO sb_meta (name, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 12));

-- One row per node's replication slot: the floor it can replay from and its last heartbeat.
-- Nodes drop the slots of nodes not seen for a while, so a dead node cannot pin WAL forever.
CREATE TABLE sb_nodes (
    slot_name text PRIMARY KEY,
    node      text NOT NULL,
    epoch     text NOT NULL,
    floor_seq bigint NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now()
);
