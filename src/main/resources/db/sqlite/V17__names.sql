-- Names instead of ids (issue 10): the dimension datasets the dashboards show through lookups -
-- seed 001's patients and dentists (clinic_appointments.patient_id / dentist_id,
-- dentist_availability.dentist_id) and seed 002's voice agents (call_logs.agent_config_id).
-- Columns and types mirror the packs' datasets.yaml exactly; as every dataset table since V14, the
-- primary key is (tenant, key). Only the key and tenant are NOT NULL. A view reads a tenant's rows
-- of these tables, and SQL reads one row by (tenant, key): both are served by the primary key. The
-- capture triggers are installed at every start from the datasets, as for every table.
CREATE TABLE patients (
    id         TEXT NOT NULL,
    clinic_id  TEXT NOT NULL,
    name       TEXT,
    phone      TEXT,
    email      TEXT,
    created_at TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX idx_patients_tenant_time ON patients (clinic_id, created_at);

CREATE TABLE dentists (
    id         TEXT NOT NULL,
    clinic_id  TEXT NOT NULL,
    name       TEXT,
    specialty  TEXT,
    chair      TEXT,
    created_at TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX idx_dentists_tenant_time ON dentists (clinic_id, created_at);

CREATE TABLE agents (
    id         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    name       TEXT,
    team       TEXT,
    created_at TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    PRIMARY KEY (user_id, id)
);
CREATE INDEX idx_agents_tenant_time ON agents (user_id, created_at);
