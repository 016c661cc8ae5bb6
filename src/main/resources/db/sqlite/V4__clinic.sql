-- Seed 001, the dental clinic sync system: appointments and dentists' bookable slots.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are ISO-8601 UTC text (2025-10-30T12:34:56.000Z), booleans 0/1, JSON as text.
-- Only the key and tenant are NOT NULL; ingest checks the required columns of new rows itself.
-- Time columns accept only the canonical form, so text comparisons in SQL order them correctly;
-- another writer (sqlite3, an app) gets a CHECK error naming the expected pattern instead.
CREATE TABLE clinic_appointments (
    id                  TEXT NOT NULL PRIMARY KEY,
    clinic_id           TEXT NOT NULL,
    patient_id          TEXT,
    dentist_id          TEXT,
    slot_id             TEXT,
    treatment           TEXT,
    status              TEXT,
    source              TEXT,
    start_time          TEXT CHECK (start_time IS NULL OR start_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    end_time            TEXT CHECK (end_time IS NULL OR end_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    duration_minutes    INTEGER,
    notes               TEXT,
    cancellation_reason TEXT,
    created_at          TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at          TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_clinic_appointments_tenant_time ON clinic_appointments (clinic_id, start_time);

CREATE TABLE dentist_availability (
    id             TEXT NOT NULL PRIMARY KEY,
    clinic_id      TEXT NOT NULL,
    dentist_id     TEXT,
    start_time     TEXT CHECK (start_time IS NULL OR start_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    end_time       TEXT CHECK (end_time IS NULL OR end_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    status         TEXT,
    appointment_id TEXT,
    chair          TEXT,
    created_at     TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at     TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_dentist_availability_tenant_time ON dentist_availability (clinic_id, start_time);

-- Dentist and patient scopes filter every query by these columns.
CREATE INDEX idx_clinic_appointments_tenant_dentist ON clinic_appointments (clinic_id, dentist_id, start_time);
CREATE INDEX idx_clinic_appointments_tenant_patient ON clinic_appointments (clinic_id, patient_id, start_time);
CREATE INDEX idx_clinic_appointments_tenant_status ON clinic_appointments (clinic_id, status);
CREATE INDEX idx_dentist_availability_tenant_dentist ON dentist_availability (clinic_id, dentist_id, start_time);
CREATE INDEX idx_dentist_availability_tenant_status ON dentist_availability (clinic_id, status, start_time);
