-- Seed 004, the dialer campaign dashboard: campaigns, their contact queues, call attempts.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are timestamptz, JSON is jsonb.
-- Only the key and tenant are NOT NULL: ingest upserts partial rows with INSERT .. ON CONFLICT,
-- and both SQLite and PostgreSQL check NOT NULL before the conflict turns it into an update,
-- so a NOT NULL status or time would refuse a valid partial update. Ingest checks required
-- columns of new rows itself.
CREATE TABLE campaigns (
    id                   text NOT NULL PRIMARY KEY,
    account_id           text NOT NULL,
    name                 text,
    status               text,
    dial_mode            text,
    max_concurrent_calls bigint,
    max_attempts         bigint,
    started_at           timestamptz,
    completed_at         timestamptz,
    created_at           timestamptz,
    updated_at           timestamptz
);
CREATE INDEX idx_campaigns_tenant_time ON campaigns (account_id, created_at);

CREATE TABLE campaign_contacts (
    id              text NOT NULL PRIMARY KEY,
    account_id      text NOT NULL,
    campaign_id     text,
    phone_number    text,
    first_name      text,
    status          text,
    attempt_count   bigint,
    last_outcome    text,
    last_attempt_at timestamptz,
    next_attempt_at timestamptz,
    created_at      timestamptz,
    updated_at      timestamptz
);
CREATE INDEX idx_campaign_contacts_tenant_time ON campaign_contacts (account_id, created_at);

CREATE TABLE call_attempts (
    id             text NOT NULL PRIMARY KEY,
    account_id     text NOT NULL,
    campaign_id    text,
    contact_id     text,
    phone_number   text,
    agent_id       text,
    attempt_number bigint,
    status         text,
    outcome        text,
    sip_code       bigint,
    started_at     timestamptz,
    answered_at    timestamptz,
    ended_at       timestamptz,
    ring_seconds   bigint,
    talk_seconds   bigint,
    updated_at     timestamptz
);
CREATE INDEX idx_call_attempts_tenant_time ON call_attempts (account_id, started_at);

-- Active calls, queue depth and the per-campaign table filter and group by these.
CREATE INDEX idx_campaigns_tenant_status ON campaigns (account_id, status);
CREATE INDEX idx_campaign_contacts_tenant_status ON campaign_contacts (account_id, status, campaign_id);
CREATE INDEX idx_campaign_contacts_campaign ON campaign_contacts (campaign_id);
CREATE INDEX idx_call_attempts_tenant_status ON call_attempts (account_id, status);
CREATE INDEX idx_call_attempts_tenant_campaign ON call_attempts (account_id, campaign_id, started_at);
