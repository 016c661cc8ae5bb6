-- Every "most recent first" list of the shipped dashboards (see BootstrapPlanOnPostgresTest)
-- sorted all of the tenant's rows for its LIMIT: the engine orders lists by
--   <column> DESC NULLS LAST, <key> COLLATE "C"
-- and an ascending (tenant, column) btree read backwards yields DESC NULLS FIRST, which the
-- planner cannot use for NULLS LAST (even on a NOT NULL column). It read the whole tenant
-- (Parallel Seq Scan, Sort) instead of the first rows of an index. With the column DESC NULLS
-- LAST after the tenant the LIMIT stops an index scan (an Incremental Sort orders rows that
-- share a time by key). Such an index serves the window ranges (column >= ?) as well, so where
-- a table has no ascending list on that column it replaces the ascending one, under the same name.
DROP INDEX idx_call_logs_user_started;
CREATE INDEX idx_call_logs_user_started ON call_logs (user_id, started_at DESC NULLS LAST);
DROP INDEX idx_booking_calls_tenant_time;
CREATE INDEX idx_booking_calls_tenant_time ON booking_calls (client_key, created_at DESC NULLS LAST);
DROP INDEX idx_call_attempts_tenant_time;
CREATE INDEX idx_call_attempts_tenant_time ON call_attempts (account_id, started_at DESC NULLS LAST);
DROP INDEX idx_customers_tenant_time;
CREATE INDEX idx_customers_tenant_time ON customers (shop_id, created_at DESC NULLS LAST);
DROP INDEX idx_leads_tenant_updated;
CREATE INDEX idx_leads_tenant_updated ON leads (client_key, updated_at DESC NULLS LAST);
DROP INDEX idx_tickets_tenant_updated;
CREATE INDEX idx_tickets_tenant_updated ON tickets (shop_id, updated_at DESC NULLS LAST);
DROP INDEX idx_orders_tenant_updated;
CREATE INDEX idx_orders_tenant_updated ON orders (shop_id, updated_at DESC NULLS LAST);
DROP INDEX idx_products_tenant_updated;
CREATE INDEX idx_products_tenant_updated ON products (shop_id, updated_at DESC NULLS LAST);
-- Lists by a column no index had after the tenant.
CREATE INDEX idx_campaigns_tenant_updated ON campaigns (account_id, updated_at DESC NULLS LAST);
CREATE INDEX idx_clinic_appointments_tenant_created ON clinic_appointments (clinic_id, created_at DESC NULLS LAST);
