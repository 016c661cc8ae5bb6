-- Seed compatibility (issue 9).
-- Seed 002's call_logs columns that were missing: the LiveKit room SID, the SIP call id and the
-- row's own created/updated times. The seed declares livekitRoomSid UNIQUE; here it is not, since a
-- key shared across tenants would tell one tenant what another holds.
ALTER TABLE call_logs ADD COLUMN livekit_room_sid text;
ALTER TABLE call_logs ADD COLUMN sip_call_id text;
ALTER TABLE call_logs ADD COLUMN created_at timestamptz;
ALTER TABLE call_logs ADD COLUMN updated_at timestamptz;
-- Seed 000 counts its calls in a table named calls and keeps queued calls in call_queue; here both
-- are rows of booking_calls, so both names are views over it (read-only; capture stays on the table).
CREATE VIEW calls AS SELECT * FROM booking_calls WHERE status <> 'queued';
CREATE VIEW call_queue AS SELECT * FROM booking_calls WHERE status = 'queued';
