-- V8's rule for scoped views (BootstrapPlanTest checks each scope of every shipped dashboard): a
-- scope adds an equality on its column (calls agent_config_id, clinic dentist_id or patient_id)
-- to every bootstrap query. Without it in an index the queries searched (tenant, time) or
-- (tenant, status, time) and tested the scope column row by row, and recent calls / recent
-- bookings read (tenant, time) newest first until their LIMIT: for an agent, dentist or patient
-- with few rows, most of the tenant's history. Indexes (tenant, scope column, [status or
-- outcome,] time) search the subject's rows of the filter and window, in order.
-- Today's appointments of a dentist or patient (window [start, end), ORDER BY start_time, id)
-- searched (clinic_id, start_time) and tested the scope column although V4's (clinic_id,
-- dentist_id, start_time) existed: without statistics SQLite prefers the index that also orders
-- by the key tiebreak's first term. With the key last the scope index gives the whole order; it
-- serves every query V4's did, so it replaces it.
CREATE INDEX idx_call_logs_user_agent_started ON call_logs (user_id, agent_config_id, started_at);
CREATE INDEX idx_call_logs_user_agent_status_started ON call_logs (user_id, agent_config_id, status, started_at);
CREATE INDEX idx_call_logs_user_agent_outcome_started ON call_logs (user_id, agent_config_id, outcome, started_at);
CREATE INDEX idx_clinic_appointments_tenant_dentist_status_time ON clinic_appointments (clinic_id, dentist_id, status, start_time);
CREATE INDEX idx_clinic_appointments_tenant_patient_status_time ON clinic_appointments (clinic_id, patient_id, status, start_time);
CREATE INDEX idx_clinic_appointments_tenant_dentist_created ON clinic_appointments (clinic_id, dentist_id, created_at);
CREATE INDEX idx_clinic_appointments_tenant_patient_created ON clinic_appointments (clinic_id, patient_id, created_at);
CREATE INDEX idx_dentist_availability_tenant_dentist_status_time ON dentist_availability (clinic_id, dentist_id, status, start_time);
CREATE INDEX idx_clinic_appointments_tenant_dentist_time_key ON clinic_appointments (clinic_id, dentist_id, start_time, id);
CREATE INDEX idx_clinic_appointments_tenant_patient_time_key ON clinic_appointments (clinic_id, patient_id, start_time, id);
DROP INDEX idx_clinic_appointments_tenant_dentist;
DROP INDEX idx_clinic_appointments_tenant_patient;
