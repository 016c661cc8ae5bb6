-- Seed 001, the dental clinic sync system: appointments and dentists' bookable slots.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are timestamptz, JSON is jsonb.
-- Only the key and tenant are NOT NULL: ingest upserts partial rows with INSERT .. ON CONFLICT,
-- and both SQLite and PostgreSQL check NOT NULL before the conflict turns it into an update,
-- so a NOT NULL status or time would refuse a valid partial update. Ingest checks required
-- columns of new rows itself.
CREATE TABLE clinic_appointments (
    id                  text NOT NULL PRIMARY KEY,
    clinic_id           text NOT NULL,
    patient_id          text,
    dentist_id          text,
    slot_id             text,
    treatment           text,
    status              text,
    source              text,
    start_time          timestamptz,
    end_time            timestamptz,
    duration_minutes    bigint,
    notes               text,
    cancellation_reason text,
    created_at          timestamptz,
    updated_at          timestamptz
);
CREATE INDEX idx_clinic_appointments_tenant_time ON clinic_appointments (clinic_id, start_time);

CREATE TABLE dentist_availability (
    id             text NOT NULL PRIMARY KEY,
    clinic_id      text NOT NULL,
    dentist_id     text,
    start_time     timestamptz,
    end_time       timestamptz,
    status         text,
    appointment_id text,
    chair          text,
    created_at     timestamptz,
    updated_at     timestamptz
);
CREATE INDEX idx_dentist_availability_tenant_time ON dentist_availability (clinic_id, start_time);

-- Dentist and patient scopes filter every query by these columns.
CREATE INDEX idx_clinic_appointments_tenant_dentist ON clinic_appointments (clinic_id, dentist_id, start_time);
CREATE INDEX idx_clinic_appointments_tenant_patient ON clinic_appointments (clinic_id, patient_id, start_time);
CREATE INDEX idx_clinic_appointments_tenant_status ON clinic_appointments (clinic_id, status);
CREATE INDEX idx_dentist_availability_tenant_dentist ON dentist_availability (clinic_id, dentist_id, start_time);
CREATE INDEX idx_dentist_availability_tenant_status ON dentist_availability (clinic_id, status, start_time);
