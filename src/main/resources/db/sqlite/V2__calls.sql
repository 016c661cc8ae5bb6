-- Seed 002 call_logs, snake_case. Times are ISO-8601 UTC text (2025-10-30T12:34:56.000Z), checked,
-- so that SQL compares them as text correctly; other writers get a CHECK error naming the form.
CREATE TABLE call_logs (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL,
    agent_config_id   TEXT,
    phone_number      TEXT,
    direction         TEXT DEFAULT 'inbound',
    status            TEXT NOT NULL DEFAULT 'ended',
    outcome           TEXT,
    started_at        TEXT NOT NULL CHECK (started_at IS NULL OR started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    ended_at          TEXT CHECK (ended_at IS NULL OR ended_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    duration          INTEGER,
    livekit_room_name TEXT,
    recording_url     TEXT,
    metadata          TEXT
);
CREATE INDEX idx_call_logs_user_started ON call_logs (user_id, started_at);
CREATE INDEX idx_call_logs_user_status ON call_logs (user_id, status);
CREATE INDEX idx_call_logs_user_outcome ON call_logs (user_id, outcome);
