-- The calls dashboard's windowed widgets over ended calls (average duration, outcomes) read
-- user_id = ? AND status = ? AND started_at >= ?: the tenant, the filtered column, then the time
-- column, by the indexing rule of V7/V8 (SQLite has had this one since its V7).
CREATE INDEX idx_call_logs_user_status_started ON call_logs (user_id, status, started_at DESC NULLS LAST);
