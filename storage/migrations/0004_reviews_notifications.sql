-- 0004_reviews_notifications: what the rating and notification jobs need to
-- read new rows incrementally without ever missing one.
--
-- Why not a watermark on ids or on (created_at, id): ids and timestamps are
-- handed out when a transaction runs, but rows become visible when it
-- commits, and commits do not come in id order. A job that saw review 101
-- and moved its watermark past it would never see review 100 if that one
-- committed a moment later. So every row the jobs read records the
-- transaction that inserted it (`xact`), and a job reads only rows of
-- transactions older than the oldest one still running
-- (pg_snapshot_xmin(pg_current_snapshot())): those are all finished, so no
-- row can appear behind the watermark later. The watermark itself is an
-- xact (job_state.watermark_id holds it as a bigint).
--
-- Adding a column with a volatile default rewrites the table once; these
-- tables are small when this runs. Existing rows get this migration's
-- transaction id, which is below every later horizon: the first run of each
-- job reads them all.

ALTER TABLE reviews ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
-- The rating job's chunk: reviews by xact, with the class at hand (an
-- index-only scan).
CREATE INDEX reviews_xact_idx ON reviews (xact, class_id);

ALTER TABLE follows ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX follows_xact_idx ON follows (xact);

ALTER TABLE messages ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX messages_xact_idx ON messages (xact);

-- The review and notification lists page on (created_at, id) with page keys
-- in whole seconds; a row with fractions would be skipped or repeated at a
-- page boundary. The defaults (whole_now()) already write whole seconds;
-- these checks keep any other writer from breaking that. AT TIME ZONE 'UTC'
-- keeps the expression independent of the session's time zone.
ALTER TABLE reviews ADD CONSTRAINT reviews_created_at_whole CHECK
  (date_trunc('second', created_at AT TIME ZONE 'UTC')
     = created_at AT TIME ZONE 'UTC');
ALTER TABLE notifications ADD CONSTRAINT notifications_created_at_whole CHECK
  (date_trunc('second', created_at AT TIME ZONE 'UTC')
     = created_at AT TIME ZONE 'UTC');
