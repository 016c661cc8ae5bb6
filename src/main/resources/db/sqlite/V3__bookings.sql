-- Seed 000, the AI booking dashboard: leads, the voice agent's calls, appointments.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are ISO-8601 UTC text (2025-10-30T12:34:56.000Z), booleans 0/1, JSON as text.
-- Only the key and tenant are NOT NULL; ingest checks the required columns of new rows itself.
-- Time columns accept only the canonical form, so text comparisons in SQL order them correctly;
-- another writer (sqlite3, an app) gets a CHECK error naming the expected pattern instead.
CREATE TABLE leads (
    id           TEXT NOT NULL PRIMARY KEY,
    client_key   TEXT NOT NULL,
    name         TEXT,
    phone        TEXT,
    email        TEXT,
    source       TEXT,
    status       TEXT,
    notes        TEXT,
    follow_up_at TEXT CHECK (follow_up_at IS NULL OR follow_up_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    created_at   TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at   TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_leads_tenant_time ON leads (client_key, created_at);

CREATE TABLE booking_calls (
    id            TEXT NOT NULL PRIMARY KEY,
    client_key    TEXT NOT NULL,
    lead_id       TEXT,
    vapi_call_id  TEXT,
    phone         TEXT,
    direction     TEXT,
    status        TEXT,
    outcome       TEXT,
    ended_reason  TEXT,
    duration      INTEGER,
    cost          REAL,
    summary       TEXT,
    recording_url TEXT,
    scheduled_for TEXT CHECK (scheduled_for IS NULL OR scheduled_for GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    started_at    TEXT CHECK (started_at IS NULL OR started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    ended_at      TEXT CHECK (ended_at IS NULL OR ended_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    created_at    TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at    TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_booking_calls_tenant_time ON booking_calls (client_key, created_at);

CREATE TABLE appointments (
    id                TEXT NOT NULL PRIMARY KEY,
    client_key        TEXT NOT NULL,
    lead_id           TEXT,
    call_id           TEXT,
    name              TEXT,
    phone             TEXT,
    email             TEXT,
    service           TEXT,
    status            TEXT,
    start_time        TEXT CHECK (start_time IS NULL OR start_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    end_time          TEXT CHECK (end_time IS NULL OR end_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    calendar_event_id TEXT,
    notes             TEXT,
    booked_at         TEXT CHECK (booked_at IS NULL OR booked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at        TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_appointments_tenant_time ON appointments (client_key, start_time);

-- The dashboard filters leads and calls by status and lists leads by last change.
CREATE INDEX idx_leads_tenant_status ON leads (client_key, status);
CREATE INDEX idx_leads_tenant_updated ON leads (client_key, updated_at);
CREATE INDEX idx_booking_calls_tenant_status ON booking_calls (client_key, status);
CREATE INDEX idx_booking_calls_lead ON booking_calls (lead_id);
CREATE INDEX idx_appointments_tenant_status ON appointments (client_key, status);
