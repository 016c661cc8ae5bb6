-- Seed 002 call_logs, snake_case, as on SQLite but with native types.
CREATE TABLE call_logs (
    id                text PRIMARY KEY,
    user_id           text NOT NULL,
    agent_config_id   text,
    phone_number      text,
    direction         text DEFAULT 'inbound',
    status            text NOT NULL DEFAULT 'ended',
    outcome           text,
    started_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    duration          bigint,
    livekit_room_name text,
    recording_url     text,
    metadata          jsonb
);
CREATE INDEX idx_call_logs_user_started ON call_logs (user_id, started_at);
CREATE INDEX idx_call_logs_user_status ON call_logs (user_id, status);
CREATE INDEX idx_call_logs_user_outcome ON call_logs (user_id, outcome);

-- Capture needs whole before images for updates and deletes.
ALTER TABLE call_logs REPLICA IDENTITY FULL;
