-- Seed 004 compatibility (issue 9): the campaigns dashboard's new queries, by V7's and V8's rule
-- (tenant, the filter's equalities, then the scope column, lists by their column DESC NULLS LAST;
-- BootstrapPlanOnPostgresTest checks them). The running campaigns list (status = running, newest
-- update first); one campaign's view (scope campaign: id = ? on campaigns, campaign_id = ? on
-- call_attempts), whose lists read the campaign by its id, and whose active calls, outcomes and
-- answer rate read its attempts by status.
CREATE INDEX idx_campaigns_tenant_status_updated ON campaigns (account_id, status, updated_at DESC NULLS LAST);
CREATE INDEX idx_campaigns_tenant_id_updated ON campaigns (account_id, id, updated_at DESC NULLS LAST);
CREATE INDEX idx_campaigns_tenant_status_id_updated ON campaigns (account_id, status, id, updated_at DESC NULLS LAST);
CREATE INDEX idx_call_attempts_tenant_campaign_status_time ON call_attempts (account_id, campaign_id, status, started_at DESC NULLS LAST);
