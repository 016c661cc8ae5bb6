-- A client resuming from far back reads its tenant's changes page by page (issue 12, finding 2):
-- this index serves "tenant = ? AND seq > ? ORDER BY seq LIMIT n" without reading other tenants'
-- changes in between.
CREATE INDEX sb_changes_tenant_seq ON sb_changes (tenant, seq);
