-- The data set of bench/seed/seed.sh, generated inside PostgreSQL with
-- set-based statements (generate_series), so nothing is sent row by row.
-- Run by seed.sh with psql; the counts come as psql variables:
--   users follows classes bookings reviews activities conversations
--   messages slice skew seed pwhash
-- The schema is numina's own (storage/migrations), created by starting
-- numina once against the database; the tables must be empty.
--
-- What makes it look like real use:
-- * follows: the follower is any user, the followee is drawn with a power
--   law (id = users * random()^skew), so user 1 has about 1% of all
--   follows, the median user a handful;
-- * classes: a provider from the first 2% of users (also skewed), start
--   times over the past year and the next 60 days (so some start within
--   the next hour and are due for reminders);
-- * bookings: per class at most its capacity (booked = count of them);
-- * reviews: by bookers of classes that have started, one per (user, class);
-- * activities: any user, over the past year;
-- * conversations of two users (one side skewed), a few messages each.
--
-- reviews, follows and messages carry `xact`, the inserting transaction,
-- which the rating and notification jobs read in order (migration 0004).
-- They are inserted `slice` rows per transaction (one \gexec statement
-- each), in time order, so a job's full run sees many transactions as it
-- would in production, not one transaction of a million rows (which a
-- chunk would have to take whole). slices.sql makes those statements.

\set ON_ERROR_STOP 1
\timing on
-- Triggers (the feed queues, bookings' class_starts_at copy) and foreign-key
-- checks are off for this session: the statements below keep the data
-- consistent, and fill the feed queue themselves, once.
SET session_replication_role = replica;
-- Serial plans: with one seed, the same data every time.
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
SELECT setseed(:seed);
\ir slices.sql

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM users) THEN
    RAISE EXCEPTION 'users is not empty: seed a fresh database';
  END IF;
END $$;

\echo users
INSERT INTO users (id, email, name, bio, password_hash, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT i, 'seed' || i || '@seed.numina', 'Seed User ' || i,
       CASE WHEN i % 3 = 0 THEN 'Runs, lifts and stretches.' ELSE '' END,
       :'pwhash', t, t
  FROM (SELECT i, date_trunc('second', now() - interval '730 days' * random()) AS t
          FROM generate_series(1, :users) i) s;

\echo classes
INSERT INTO classes (id, provider_id, title, description, location, starts_at,
                     duration_min, capacity, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT i, 1 + floor(greatest(:users / 50, 1) * random() ^ 1.5)::bigint,
       (ARRAY['Morning intervals', 'Yoga flow', 'Spin', 'Strength basics',
              'Boxing', 'Pilates', 'HIIT', 'Trail run'])[1 + i % 8] || ' #' || i,
       'Warm-up, the main set, then stretching. Bring water.',
       'Studio ' || (1 + i % 50), s, (ARRAY[30, 45, 60, 75, 90])[1 + i % 5],
       5 + floor(random() * 36)::int, c, c
  FROM (SELECT i, s, least(s - interval '30 days' * random(), whole_now()) AS c
          FROM (SELECT i, date_trunc('second', now() + interval '60 days'
                         - interval '425 days' * random()) AS s
                  FROM generate_series(1, :classes) i) x) y;

\echo bookings
-- Per class a random share of its capacity, scaled so that the total is
-- about :bookings (capacity is 5..40, 22.5 on average); a user drawn twice
-- for one class is dropped by the unique key.
INSERT INTO bookings (class_id, user_id, class_starts_at, created_at)
SELECT c.id, 1 + floor(:users * random())::bigint, c.starts_at,
       date_trunc('second', c.created_at
                 + (least(c.starts_at, now()) - c.created_at) * random())
  FROM classes c
 CROSS JOIN LATERAL generate_series(1, least(c.capacity,
         round(c.capacity * 2 * random() * :bookings / (:classes * 22.5))::int)) k
ON CONFLICT DO NOTHING;
UPDATE classes c SET booked = b.n
  FROM (SELECT class_id, count(*) AS n FROM bookings GROUP BY class_id) b
 WHERE b.class_id = c.id;

\echo reviews
CREATE TEMP TABLE seed_reviews AS
SELECT row_number() OVER (ORDER BY t, class_id, user_id) AS n, *
  FROM (SELECT b.class_id, b.user_id,
               (ARRAY[1, 2, 3, 3, 4, 4, 4, 5, 5, 5])[1 + floor(random() * 10)::int]
                 AS rating,
               CASE WHEN random() < 0.5 THEN 'Good session, would come again.'
                    ELSE '' END AS text,
               date_trunc('second', least(c.starts_at + interval '1 hour'
                 + interval '3 days' * random(), now())) AS t
          FROM bookings b JOIN classes c ON c.id = b.class_id
         WHERE c.starts_at < now() - interval '1 hour'
           AND random() < 1.02 * :reviews / (
                 SELECT count(*) FROM bookings b2 JOIN classes c2
                     ON c2.id = b2.class_id
                  WHERE c2.starts_at < now() - interval '1 hour')
         LIMIT :reviews) r;
CREATE INDEX ON seed_reviews (n);
SELECT pg_temp.slices(
         'INSERT INTO reviews (class_id, user_id, rating, text, created_at)'
         ' SELECT class_id, user_id, rating, text, t FROM seed_reviews'
         ' WHERE n BETWEEN %s AND %s ORDER BY n',
         (SELECT count(*) FROM seed_reviews), :slice)
\gexec

\echo follows
CREATE TEMP TABLE seed_follows AS
SELECT row_number() OVER (ORDER BY t, follower_id, following_id) AS n, *
  FROM (SELECT DISTINCT ON (follower_id, following_id) *
          FROM (SELECT 1 + floor(:users * random())::bigint AS follower_id,
                       1 + floor(:users * random() ^ :skew)::bigint AS following_id,
                       date_trunc('second', now() - interval '700 days' * random()) AS t
                  FROM generate_series(1, (:follows * 1.1)::bigint)) g
         WHERE follower_id <> following_id
         ORDER BY follower_id, following_id) d
 ORDER BY t, follower_id, following_id
 LIMIT :follows;
CREATE INDEX ON seed_follows (n);
SELECT pg_temp.slices(
         'INSERT INTO follows (follower_id, following_id, created_at)'
         ' SELECT follower_id, following_id, t FROM seed_follows'
         ' WHERE n BETWEEN %s AND %s ORDER BY n',
         (SELECT count(*) FROM seed_follows), :slice)
\gexec

\echo activities
-- Ids in time order, as they would be handed out.
INSERT INTO activities (user_id, kind, text, created_at)
SELECT user_id, kind, text, t
  FROM (SELECT 1 + floor(:users * random())::bigint AS user_id,
               (ARRAY['workout', 'post', 'achievement'])[1 + floor(random() * 3)::int]
                 AS kind,
               'Did ' || (3 + floor(random() * 20)::int) || ' km today.' AS text,
               date_trunc('second', now() - interval '365 days' * random()) AS t
          FROM generate_series(1, :activities)) a
 ORDER BY t;
-- What the activities trigger (0003) would have queued: every activity is
-- pending, so the feed job's first run builds every feed. The follow pairs
-- are not queued: fanning out every activity already reaches every
-- follower, and a second pass over the pairs would only find it done.
INSERT INTO feed_pending_activities (activity_id) SELECT id FROM activities;

\echo conversations and messages
CREATE TEMP TABLE seed_conversations AS
SELECT row_number() OVER (ORDER BY t0, user_a, user_b) AS id, *
  FROM (SELECT DISTINCT ON (least(x, y), greatest(x, y))
               least(x, y) AS user_a, greatest(x, y) AS user_b, t0, n
          FROM (SELECT 1 + floor(:users * random())::bigint AS x,
                       1 + floor(:users * random() ^ 1.5)::bigint AS y,
                       date_trunc('second', now() - interval '365 days' * random()) AS t0,
                       -- 1 .. 2m-1 messages, m = messages / conversations
                       1 + floor(random() * greatest(2 * :messages / :conversations - 1, 1))::int AS n
                  FROM generate_series(1, (:conversations * 1.05)::bigint)) g
         WHERE x <> y
         ORDER BY least(x, y), greatest(x, y)) d
 ORDER BY t0, user_a, user_b
 LIMIT :conversations;
CREATE TEMP TABLE seed_messages AS
SELECT row_number() OVER (ORDER BY sent_at, conversation_id, j) AS n, *
  FROM (SELECT c.id AS conversation_id, j,
               CASE WHEN a_sends THEN c.user_a ELSE c.user_b END AS sender_id,
               CASE WHEN a_sends THEN c.user_b ELSE c.user_a END AS recipient_id,
               'See you at the ' || (6 + j % 12) || ' o''clock class?' AS text,
               least(c.t0 + interval '90 minutes' * (j - 1), whole_now()) AS sent_at
          FROM seed_conversations c
         CROSS JOIN LATERAL (SELECT j, random() < 0.5 AS a_sends
                               FROM generate_series(1, c.n) j) m) s;
CREATE INDEX ON seed_messages (n);
INSERT INTO conversations (id, user_a, user_b, created_at, last_message_at)
OVERRIDING SYSTEM VALUE
SELECT c.id, c.user_a, c.user_b, c.t0, m.last
  FROM seed_conversations c
  JOIN (SELECT conversation_id, max(sent_at) AS last FROM seed_messages
         GROUP BY conversation_id) m ON m.conversation_id = c.id;
SELECT pg_temp.slices(
         'INSERT INTO messages (conversation_id, sender_id, recipient_id,'
         ' text, sent_at) SELECT conversation_id, sender_id, recipient_id,'
         ' text, sent_at FROM seed_messages WHERE n BETWEEN %s AND %s'
         ' ORDER BY n', (SELECT count(*) FROM seed_messages), :slice)
\gexec

\echo identity sequences
-- Explicit ids above: the next id handed out must follow them.
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('classes', 'id'), (SELECT max(id) FROM classes));
SELECT setval(pg_get_serial_sequence('conversations', 'id'),
              (SELECT max(id) FROM conversations));
