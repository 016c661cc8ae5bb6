-- Seed 004, the dialer campaign dashboard: campaigns, their contact queues, call attempts.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are ISO-8601 UTC text (2025-10-30T12:34:56.000Z), booleans 0/1, JSON as text.
-- Only the key and tenant are NOT NULL; ingest checks the required columns of new rows itself.
-- Time columns accept only the canonical form, so text comparisons in SQL order them correctly;
-- another writer (sqlite3, an app) gets a CHECK error naming the expected pattern instead.
CREATE TABLE campaigns (
    id                   TEXT NOT NULL PRIMARY KEY,
    account_id           TEXT NOT NULL,
    name                 TEXT,
    status               TEXT,
    dial_mode            TEXT,
    max_concurrent_calls INTEGER,
    max_attempts         INTEGER,
    started_at           TEXT CHECK (started_at IS NULL OR started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    completed_at         TEXT CHECK (completed_at IS NULL OR completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    created_at           TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at           TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_campaigns_tenant_time ON campaigns (account_id, created_at);

CREATE TABLE campaign_contacts (
    id              TEXT NOT NULL PRIMARY KEY,
    account_id      TEXT NOT NULL,
    campaign_id     TEXT,
    phone_number    TEXT,
    first_name      TEXT,
    status          TEXT,
    attempt_count   INTEGER,
    last_outcome    TEXT,
    last_attempt_at TEXT CHECK (last_attempt_at IS NULL OR last_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    next_attempt_at TEXT CHECK (next_attempt_at IS NULL OR next_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    created_at      TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at      TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_campaign_contacts_tenant_time ON campaign_contacts (account_id, created_at);

CREATE TABLE call_attempts (
    id             TEXT NOT NULL PRIMARY KEY,
    account_id     TEXT NOT NULL,
    campaign_id    TEXT,
    contact_id     TEXT,
    phone_number   TEXT,
    agent_id       TEXT,
    attempt_number INTEGER,
    status         TEXT,
    outcome        TEXT,
    sip_code       INTEGER,
    started_at     TEXT CHECK (started_at IS NULL OR started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    answered_at    TEXT CHECK (answered_at IS NULL OR answered_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    ended_at       TEXT CHECK (ended_at IS NULL OR ended_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    ring_seconds   INTEGER,
    talk_seconds   INTEGER,
    updated_at     TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_call_attempts_tenant_time ON call_attempts (account_id, started_at);

-- Active calls, queue depth and the per-campaign table filter and group by these.
CREATE INDEX idx_campaigns_tenant_status ON campaigns (account_id, status);
CREATE INDEX idx_campaign_contacts_tenant_status ON campaign_contacts (account_id, status, campaign_id);
CREATE INDEX idx_campaign_contacts_campaign ON campaign_contacts (campaign_id);
CREATE INDEX idx_call_attempts_tenant_status ON call_attempts (account_id, status);
CREATE INDEX idx_call_attempts_tenant_campaign ON call_attempts (account_id, campaign_id, started_at);
