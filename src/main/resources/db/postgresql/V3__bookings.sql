-- Seed 000, the AI booking dashboard: leads, the voice agent's calls, appointments.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are timestamptz, JSON is jsonb.
-- Only the key and tenant are NOT NULL: ingest upserts partial rows with INSERT .. ON CONFLICT,
-- and both SQLite and PostgreSQL check NOT NULL before the conflict turns it into an update,
-- so a NOT NULL status or time would refuse a valid partial update. Ingest checks required
-- columns of new rows itself.
CREATE TABLE leads (
    id           text NOT NULL PRIMARY KEY,
    client_key   text NOT NULL,
    name         text,
    phone        text,
    email        text,
    source       text,
    status       text,
    notes        text,
    follow_up_at timestamptz,
    created_at   timestamptz,
    updated_at   timestamptz
);
CREATE INDEX idx_leads_tenant_time ON leads (client_key, created_at);

CREATE TABLE booking_calls (
    id            text NOT NULL PRIMARY KEY,
    client_key    text NOT NULL,
    lead_id       text,
    vapi_call_id  text,
    phone         text,
    direction     text,
    status        text,
    outcome       text,
    ended_reason  text,
    duration      bigint,
    cost          double precision,
    summary       text,
    recording_url text,
    scheduled_for timestamptz,
    started_at    timestamptz,
    ended_at      timestamptz,
    created_at    timestamptz,
    updated_at    timestamptz
);
CREATE INDEX idx_booking_calls_tenant_time ON booking_calls (client_key, created_at);

CREATE TABLE appointments (
    id                text NOT NULL PRIMARY KEY,
    client_key        text NOT NULL,
    lead_id           text,
    call_id           text,
    name              text,
    phone             text,
    email             text,
    service           text,
    status            text,
    start_time        timestamptz,
    end_time          timestamptz,
    calendar_event_id text,
    notes             text,
    booked_at         timestamptz,
    updated_at        timestamptz
);
CREATE INDEX idx_appointments_tenant_time ON appointments (client_key, start_time);

-- The dashboard filters leads and calls by status and lists leads by last change.
CREATE INDEX idx_leads_tenant_status ON leads (client_key, status);
CREATE INDEX idx_leads_tenant_updated ON leads (client_key, updated_at);
CREATE INDEX idx_booking_calls_tenant_status ON booking_calls (client_key, status);
CREATE INDEX idx_booking_calls_lead ON booking_calls (lead_id);
CREATE INDEX idx_appointments_tenant_status ON appointments (client_key, status);
