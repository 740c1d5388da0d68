-- 0002_follow_list_indexes: follower and following lists in page order.
--
-- Both lists are newest follow first. follows.created_at defaults to whole
-- seconds (whole_now()), but a row written another way may carry
-- microseconds, while a page key (and the API) holds whole seconds: a
-- keyset on the raw time would skip the rest of a second after a page
-- ended inside it. The lists therefore order by the time truncated
-- to the second (then by the other user's id), and these indexes hold that
-- order, so a page is one index range scan whatever the writer stored.
-- AT TIME ZONE 'UTC' makes the expression immutable (date_trunc on
-- timestamptz depends on the session's time zone), as an index requires.

-- "Who follows X", newest first.
CREATE INDEX follows_following_since_idx
  ON follows (following_id,
              (date_trunc('second', created_at AT TIME ZONE 'UTC')),
              follower_id);

-- "Whom does X follow", newest first.
CREATE INDEX follows_follower_since_idx
  ON follows (follower_id,
              (date_trunc('second', created_at AT TIME ZONE 'UTC')),
              following_id);
