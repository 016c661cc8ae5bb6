-- Bootstrap of the calls dashboard read the tenant's whole history (see BENCHMARKS.md):
--   SELECT * FROM call_logs WHERE user_id = ? AND status = ? ORDER BY started_at DESC ... LIMIT n
-- (the active-calls list) could only walk (user_id, started_at) newest first and test status
-- row by row; with no active call it visits every row of the tenant. With the time column after
-- the equality columns, the same index serves the filter, the order and the LIMIT, and a
-- windowed count such as "outcome = completed in the last 24h" is one range of one index.
-- They cover everything the two-column indexes did (same leading columns), which therefore go.
CREATE INDEX idx_call_logs_user_status_started ON call_logs (user_id, status, started_at);
CREATE INDEX idx_call_logs_user_outcome_started ON call_logs (user_id, outcome, started_at);
DROP INDEX idx_call_logs_user_status;
DROP INDEX idx_call_logs_user_outcome;
