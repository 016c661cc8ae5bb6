-- V7's rule for every shipped dashboard (BootstrapPlanTest checks each one): a bootstrap query
-- filtered by equality (or IN) and bounded by a window, such as booking_calls "status = ended in
-- the last 7 days", could only search (tenant, status) and test the time of each of the tenant's
-- ended calls, or search (tenant, time) and test the status; with the equality columns first and
-- the time column last it is one range per value of one index. A list ordered by a column no
-- index has after the tenant (campaigns by updated_at, clinic appointments by created_at) sorted
-- all of the tenant's rows for its LIMIT; an index (tenant, order column) reads them in order.
-- The three-column indexes cover every query the two-column (tenant, status) ones served.
CREATE INDEX idx_booking_calls_tenant_status_time ON booking_calls (client_key, status, created_at);
CREATE INDEX idx_clinic_appointments_tenant_status_time ON clinic_appointments (clinic_id, status, start_time);
CREATE INDEX idx_clinic_appointments_tenant_created ON clinic_appointments (clinic_id, created_at);
CREATE INDEX idx_orders_tenant_status_time ON orders (shop_id, status, created_at);
CREATE INDEX idx_call_attempts_tenant_status_time ON call_attempts (account_id, status, started_at);
CREATE INDEX idx_campaigns_tenant_updated ON campaigns (account_id, updated_at);
DROP INDEX idx_booking_calls_tenant_status;
DROP INDEX idx_clinic_appointments_tenant_status;
DROP INDEX idx_orders_tenant_status;
DROP INDEX idx_call_attempts_tenant_status;
