-- 0003_feed_queue: the work the feed job (storage/feed_job_ops.cpp) still
-- has to do, recorded by triggers in the transaction of the change itself.
--
-- Why queues and not an id or time watermark: an activity's id and
-- created_at are handed out when its INSERT runs, not when it commits. Two
-- posts may commit in the other order (id 101 first, then 100); a job run
-- between the two commits would move a watermark past 100, and activity
-- 100 would never reach any feed, breaking "no later than the next run".
-- A queue row becomes visible exactly when its change commits, so a run
-- sees every change committed before it, whatever the order. The job
-- deletes the rows it takes, so the queues hold only what is pending.
--
-- The triggers catch every writer (the API's operations, bulk loads,
-- tests), so the feed cannot miss a change whatever wrote it.

-- Activities not yet fanned out to their author's and followers' feeds.
-- No foreign key: a row whose activity is gone fans out to nobody.
CREATE TABLE feed_pending_activities (
  activity_id bigint PRIMARY KEY
);

-- Follow pairs that changed (followed or unfollowed) since the job last
-- looked at them. The job compares each pair with follows as it is then:
-- present, it copies the followee's activities into the follower's feed;
-- absent, it removes them. No foreign keys: deleting a user cascades to
-- follows, whose trigger must not then refer to the vanishing user.
CREATE TABLE feed_pending_follows (
  follower_id  bigint NOT NULL,
  following_id bigint NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT whole_now(),
  PRIMARY KEY (follower_id, following_id)
);

CREATE FUNCTION feed_note_activities() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feed_pending_activities (activity_id)
  SELECT id FROM added ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Statement-level with a transition table: one INSERT for a bulk load.
CREATE TRIGGER activities_feed_pending
  AFTER INSERT ON activities REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION feed_note_activities();

-- DO UPDATE, not DO NOTHING: the update locks a pending row that is
-- already there until this change commits. A job that meanwhile takes the
-- pairs (FOR UPDATE SKIP LOCKED) skips it, and a job that took it first
-- makes this insert wait for its commit and then insert the row afresh.
-- With DO NOTHING the job could take the old row, judge the pair by a
-- snapshot without this change, and delete the only record of it.
CREATE FUNCTION feed_note_follows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO feed_pending_follows (follower_id, following_id)
    SELECT DISTINCT follower_id, following_id FROM new_rows
    ON CONFLICT (follower_id, following_id)
      DO UPDATE SET changed_at = whole_now();
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO feed_pending_follows (follower_id, following_id)
    SELECT DISTINCT follower_id, following_id FROM old_rows
    ON CONFLICT (follower_id, following_id)
      DO UPDATE SET changed_at = whole_now();
  ELSE
    INSERT INTO feed_pending_follows (follower_id, following_id)
    SELECT follower_id, following_id FROM old_rows
    UNION
    SELECT follower_id, following_id FROM new_rows
    ON CONFLICT (follower_id, following_id)
      DO UPDATE SET changed_at = whole_now();
  END IF;
  RETURN NULL;
END $$;

-- One trigger per event: PostgreSQL allows transition tables only on
-- triggers of a single event.
CREATE TRIGGER follows_feed_pending_insert
  AFTER INSERT ON follows REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_note_follows();
CREATE TRIGGER follows_feed_pending_delete
  AFTER DELETE ON follows REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_note_follows();
CREATE TRIGGER follows_feed_pending_update
  AFTER UPDATE ON follows REFERENCING OLD TABLE AS old_rows
  NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feed_note_follows();

-- What existed before this migration is pending too, so the first run
-- builds every feed.
INSERT INTO feed_pending_activities (activity_id) SELECT id FROM activities;
INSERT INTO feed_pending_follows (follower_id, following_id)
SELECT follower_id, following_id FROM follows;

-- The feed job's row: its chunks lock it, so that runs on several nodes
-- take turns (see feed_job_ops.cpp), and it records their progress.
INSERT INTO job_state (name) VALUES ('feed') ON CONFLICT DO NOTHING;
