-- Scoped views (BootstrapPlanOnPostgresTest explains each scope of every shipped dashboard) add
-- an equality on the scope column (calls agent_config_id, clinic dentist_id or patient_id) to
-- every bootstrap query. Recent calls read (user_id, started_at DESC NULLS LAST) and recent
-- bookings (clinic_id, created_at DESC NULLS LAST) and tested the scope column row by row until
-- their LIMIT: for an agent, dentist or patient with few rows, most of the tenant's history.
-- With the scope column after the tenant the LIMIT stops after the subject's newest rows, and
-- the same index serves the subject's windows (column >= ?).
CREATE INDEX idx_call_logs_user_agent_started ON call_logs (user_id, agent_config_id, started_at DESC NULLS LAST);
CREATE INDEX idx_clinic_appointments_tenant_dentist_created ON clinic_appointments (clinic_id, dentist_id, created_at DESC NULLS LAST);
CREATE INDEX idx_clinic_appointments_tenant_patient_created ON clinic_appointments (clinic_id, patient_id, created_at DESC NULLS LAST);
-- An agent's active calls list (status = active) read all of the agent's calls by the index above
-- and tested the status; with the status after the agent it reads the agent's active calls only.
CREATE INDEX idx_call_logs_user_agent_status_started ON call_logs (user_id, agent_config_id, status, started_at DESC NULLS LAST);
