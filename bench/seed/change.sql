-- Changes a seeded database (seed.sql) by a small share of its rows, the
-- way users would: new reviews, follows, activities, messages and
-- bookings, inserted `slice` rows per transaction (one \gexec statement
-- each) with numina's triggers and defaults active, so the jobs' queues
-- and watermarks see them as they see the API's writes. Run by
-- bench/jobs_at_scale.sh with psql; psql variables: reviews follows
-- activities messages bookings slice skew seed.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET work_mem = '256MB';
SELECT setseed(:seed);
\ir slices.sql
SELECT max(id) AS users FROM users WHERE email LIKE '%@seed.numina' \gset
-- The counts before, so that the end reports the rows really added.
SELECT (SELECT count(*) FROM reviews) AS reviews0,
       (SELECT count(*) FROM follows) AS follows0,
       (SELECT count(*) FROM activities) AS activities0,
       (SELECT count(*) FROM messages) AS messages0,
       (SELECT count(*) FROM bookings) AS bookings0 \gset

\echo reviews
-- By bookers of classes that have started, who have not reviewed them.
CREATE TEMP TABLE change_reviews AS
SELECT row_number() OVER () AS n, *
  FROM (SELECT b.class_id, b.user_id, 1 + floor(random() * 5)::int AS rating
          FROM bookings b JOIN classes c ON c.id = b.class_id
         WHERE c.starts_at < now() - interval '1 hour'
           AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.class_id = b.class_id
                                                     AND r.user_id = b.user_id)
         ORDER BY random() LIMIT :reviews) s;
CREATE INDEX ON change_reviews (n);
SELECT pg_temp.slices(
         'INSERT INTO reviews (class_id, user_id, rating, text)'
         ' SELECT class_id, user_id, rating, ''Back next week.'''
         ' FROM change_reviews WHERE n BETWEEN %s AND %s ORDER BY n',
         (SELECT count(*) FROM change_reviews), :slice)
\gexec

\echo follows
-- New pairs drawn like the seeded ones (popular users gain most).
-- (The LIMIT inside: row numbers must be 1..count for the slices.)
CREATE TEMP TABLE change_follows AS
SELECT row_number() OVER () AS n, *
  FROM (SELECT * FROM (
          SELECT DISTINCT ON (follower_id, following_id) follower_id, following_id
            FROM (SELECT 1 + floor(:users * random())::bigint AS follower_id,
                         1 + floor(:users * random() ^ :skew)::bigint AS following_id
                    FROM generate_series(1, 2 * :follows)) g
           WHERE follower_id <> following_id
             AND NOT EXISTS (SELECT 1 FROM follows f
                              WHERE f.follower_id = g.follower_id
                                AND f.following_id = g.following_id)
           ORDER BY follower_id, following_id) d
         ORDER BY random() LIMIT :follows) r;
CREATE INDEX ON change_follows (n);
SELECT pg_temp.slices(
         'INSERT INTO follows (follower_id, following_id)'
         ' SELECT follower_id, following_id FROM change_follows'
         ' WHERE n BETWEEN %s AND %s ORDER BY n',
         (SELECT count(*) FROM change_follows), :slice)
\gexec

\echo activities
SELECT pg_temp.slices(
         'INSERT INTO activities (user_id, kind, text)'
         ' SELECT 1 + floor(' || :users || ' * random())::bigint, ''workout'','
         ' ''Ran before work.'''
         ' FROM generate_series(%s, least(%s, ' || :activities || '))',
         :activities, :slice)
\gexec

\echo messages
-- Half answer an existing conversation, half are to someone new (the
-- recipient drawn with a skew); each is sent the way messages.send does
-- it (storage/messages_ops.cpp): the pair's conversation upserted, then
-- the message. Distinct pairs: one statement may update a row only once.
CREATE TEMP TABLE change_messages AS
SELECT row_number() OVER (ORDER BY random()) AS n, *
  FROM (SELECT DISTINCT ON (least(sender_id, recipient_id),
                            greatest(sender_id, recipient_id))
               sender_id, recipient_id
          FROM ((SELECT CASE WHEN a_sends THEN user_a ELSE user_b END AS sender_id,
                        CASE WHEN a_sends THEN user_b ELSE user_a END AS recipient_id
                   FROM (SELECT user_a, user_b, random() < 0.5 AS a_sends
                           FROM conversations ORDER BY random()
                          LIMIT :messages / 2) c)
                UNION ALL
                (SELECT 1 + floor(:users * random())::bigint,
                        1 + floor(:users * random() ^ 1.5)::bigint
                   FROM generate_series(1, :messages - :messages / 2))) p
         WHERE sender_id <> recipient_id
         ORDER BY least(sender_id, recipient_id),
                  greatest(sender_id, recipient_id)) d;
CREATE INDEX ON change_messages (n);
SELECT pg_temp.slices(
         'WITH m AS (SELECT sender_id, recipient_id FROM change_messages'
         '  WHERE n BETWEEN %s AND %s),'
         ' c AS (INSERT INTO conversations (user_a, user_b)'
         '  SELECT least(sender_id, recipient_id),'
         '   greatest(sender_id, recipient_id) FROM m'
         '  ON CONFLICT (user_a, user_b) DO UPDATE SET last_message_at ='
         '   greatest(conversations.last_message_at,'
         '            EXCLUDED.last_message_at)'
         '  RETURNING id, user_a, user_b)'
         ' INSERT INTO messages (conversation_id, sender_id, recipient_id, text)'
         ' SELECT c.id, m.sender_id, m.recipient_id, ''Same time tomorrow?'''
         '  FROM m JOIN c ON c.user_a = least(m.sender_id, m.recipient_id)'
         '   AND c.user_b = greatest(m.sender_id, m.recipient_id)',
         (SELECT count(*) FROM change_messages), :slice)
\gexec

\echo bookings
-- One more booking each for classes to come that have a free seat, taken
-- the way bookings.create does (storage/bookings_ops.cpp): the booking,
-- then booked + 1 while booked < capacity.
CREATE TEMP TABLE change_bookings AS
SELECT row_number() OVER () AS n, id AS class_id,
       1 + floor(:users * random())::bigint AS user_id
  FROM (SELECT id FROM classes WHERE starts_at > now() AND booked < capacity
         ORDER BY random() LIMIT :bookings) c;
CREATE INDEX ON change_bookings (n);
SELECT pg_temp.slices(
         'WITH b AS (INSERT INTO bookings (class_id, user_id)'
         '  SELECT class_id, user_id FROM change_bookings'
         '   WHERE n BETWEEN %s AND %s ON CONFLICT DO NOTHING'
         '  RETURNING class_id)'
         ' UPDATE classes SET booked = booked + 1, updated_at = whole_now()'
         '  WHERE id IN (SELECT class_id FROM b) AND booked < capacity',
         (SELECT count(*) FROM change_bookings), :slice)
\gexec

SELECT (SELECT count(*) FROM reviews) - :reviews0 AS reviews,
       (SELECT count(*) FROM follows) - :follows0 AS follows,
       (SELECT count(*) FROM activities) - :activities0 AS activities,
       (SELECT count(*) FROM messages) - :messages0 AS messages,
       (SELECT count(*) FROM bookings) - :bookings0 AS bookings;
