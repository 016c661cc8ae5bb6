-- Names instead of ids (issue 10): the dimension datasets the dashboards show through lookups -
-- seed 001's patients and dentists (clinic_appointments.patient_id / dentist_id,
-- dentist_availability.dentist_id) and seed 002's voice agents (call_logs.agent_config_id).
-- Columns and types mirror the packs' datasets.yaml exactly; as every dataset table since V13, the
-- primary key is (tenant, key). Only the key and tenant are NOT NULL. A view reads a tenant's rows
-- of these tables, and SQL reads one row by (tenant, key): both are served by the primary key.
-- REPLICA IDENTITY FULL and membership in the publication are installed at every start from the
-- datasets (Publication), as for every table.
CREATE TABLE patients (
    id         text NOT NULL,
    clinic_id  text NOT NULL,
    name       text,
    phone      text,
    email      text,
    created_at timestamptz,
    updated_at timestamptz,
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX idx_patients_tenant_time ON patients (clinic_id, created_at);

CREATE TABLE dentists (
    id         text NOT NULL,
    clinic_id  text NOT NULL,
    name       text,
    specialty  text,
    chair      text,
    created_at timestamptz,
    updated_at timestamptz,
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX idx_dentists_tenant_time ON dentists (clinic_id, created_at);

CREATE TABLE agents (
    id         text NOT NULL,
    user_id    text NOT NULL,
    name       text,
    team       text,
    created_at timestamptz,
    updated_at timestamptz,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX idx_agents_tenant_time ON agents (user_id, created_at);
