-- Demo data for scripts/run.sh, which loads it in one transaction into a
-- database that has no users yet (after the server has applied the schema
-- of storage/migrations). Plain SQL, so any client can load it.
--
-- * Every demo user logs in with the password `demo-password-1`. The hash
--   is libsodium's crypto_pwhash_str (argon2id, opslimit 2, memlimit
--   64 MiB: the server's default auth.hash_ops and auth.hash_memory).
-- * Ids come from the identity columns, so rows refer to each other by
--   email and class title (unique within this file).
-- * Class times are relative to the load time, so the classes are upcoming
--   whenever the data is loaded; one starts within the hour (a reminder
--   for the notification job) and "Small-group Pilates" is full.
-- * classes.booked equals the bookings inserted here. Ratings and feeds
--   are not written: their jobs compute them from reviews and activities.

INSERT INTO users (email, name, bio, password_hash)
SELECT u.email, u.name, u.bio,
       '$argon2id$v=19$m=65536,t=2,p=1$WNf3eMQ84o2xs1kD2E8mAw$HI4Jo75fXyIPwfzLw9mtoA0ENO4E/bCK6iitC3akqkM'
FROM (VALUES
  ('ava@demo.numina', 'Ava Lindqvist',
   'Yoga and mobility teacher. Early mornings are the best mornings.'),
  ('ben@demo.numina', 'Ben Okafor',
   'Strength coach. Runs the lunchtime HIIT and the kettlebell club.'),
  ('chloe@demo.numina', 'Chloe Martin',
   'Training for my first half marathon.'),
  ('dev@demo.numina', 'Dev Patel',
   'Climber, cyclist, occasional yogi.'),
  ('emi@demo.numina', 'Emi Tanaka', '')
) AS u (email, name, bio);

INSERT INTO classes (provider_id, title, description, location, starts_at,
                     duration_min, capacity)
SELECT p.id, c.title, c.description, c.location, c.starts_at,
       c.duration_min, c.capacity
FROM (VALUES
  ('ben@demo.numina', 'Lunchtime HIIT',
   'Thirty minutes of intervals. Bring water.', 'Riverside Gym, hall 2',
   date_trunc('minute', now()) + interval '45 minutes', 30, 20),
  ('ava@demo.numina', 'Sunrise Vinyasa',
   'A flowing practice to start the day. All levels.', 'Studio A, 12 Harbour St',
   date_trunc('day', now()) + interval '1 day 7 hours', 60, 12),
  ('ben@demo.numina', 'Kettlebell Basics',
   'Swings, goblet squats and get-ups, with form checks.', 'Riverside Gym, hall 1',
   date_trunc('day', now()) + interval '1 day 18 hours', 45, 10),
  ('ava@demo.numina', 'Small-group Pilates',
   'Mat Pilates for three, with individual cues.', 'Studio B, 12 Harbour St',
   date_trunc('day', now()) + interval '2 days 9 hours', 50, 3),
  ('ben@demo.numina', 'Tempo Run Club',
   '8 km along the river at tempo pace, then stretching.', 'Meet at the boathouse',
   date_trunc('day', now()) + interval '2 days 19 hours', 60, 25),
  ('ava@demo.numina', 'Yin Yoga',
   'Long, quiet holds for the connective tissue.', 'Studio A, 12 Harbour St',
   date_trunc('day', now()) + interval '3 days 20 hours', 75, 15),
  ('ben@demo.numina', 'Strength Foundations',
   'Squat, hinge, push, pull: the four patterns, done well.', 'Riverside Gym, hall 1',
   date_trunc('day', now()) + interval '4 days 17 hours 30 minutes', 60, 8),
  ('ava@demo.numina', 'Mobility for Runners',
   'Hips, ankles and thoracic spine.', 'Studio B, 12 Harbour St',
   date_trunc('day', now()) + interval '5 days 8 hours', 45, 12),
  ('ben@demo.numina', 'Saturday Circuit',
   'Eight stations, three rounds, music loud.', 'Riverside Gym, hall 2',
   date_trunc('day', now()) + interval '6 days 10 hours', 50, 18),
  ('ava@demo.numina', 'Breathwork and Stretch',
   'Slow breathing and gentle stretching to end the week.', 'Studio A, 12 Harbour St',
   date_trunc('day', now()) + interval '7 days 17 hours', 40, 20)
) AS c (provider_email, title, description, location, starts_at,
        duration_min, capacity)
JOIN users p ON p.email = c.provider_email;

-- class_starts_at is filled in by the bookings_copy_class_starts_at trigger.
INSERT INTO bookings (class_id, user_id)
SELECT c.id, u.id
FROM (VALUES
  ('Lunchtime HIIT', 'chloe@demo.numina'),
  ('Lunchtime HIIT', 'dev@demo.numina'),
  ('Sunrise Vinyasa', 'chloe@demo.numina'),
  ('Sunrise Vinyasa', 'dev@demo.numina'),
  ('Sunrise Vinyasa', 'emi@demo.numina'),
  ('Small-group Pilates', 'chloe@demo.numina'),
  ('Small-group Pilates', 'emi@demo.numina'),
  ('Small-group Pilates', 'ben@demo.numina'),
  ('Tempo Run Club', 'chloe@demo.numina'),
  ('Tempo Run Club', 'dev@demo.numina'),
  ('Kettlebell Basics', 'emi@demo.numina'),
  ('Mobility for Runners', 'chloe@demo.numina')
) AS b (class_title, email)
JOIN classes c ON c.title = b.class_title
JOIN users u ON u.email = b.email;

UPDATE classes c
SET booked = (SELECT count(*) FROM bookings b WHERE b.class_id = c.id);

INSERT INTO follows (follower_id, following_id)
SELECT a.id, b.id
FROM (VALUES
  ('chloe@demo.numina', 'ava@demo.numina'),
  ('chloe@demo.numina', 'ben@demo.numina'),
  ('chloe@demo.numina', 'dev@demo.numina'),
  ('dev@demo.numina', 'chloe@demo.numina'),
  ('dev@demo.numina', 'ava@demo.numina'),
  ('emi@demo.numina', 'ava@demo.numina'),
  ('emi@demo.numina', 'chloe@demo.numina'),
  ('ben@demo.numina', 'ava@demo.numina')
) AS f (follower_email, following_email)
JOIN users a ON a.email = f.follower_email
JOIN users b ON b.email = f.following_email;

INSERT INTO reviews (class_id, user_id, rating, text)
SELECT c.id, u.id, r.rating, r.text
FROM (VALUES
  ('Sunrise Vinyasa', 'chloe@demo.numina', 5, 'Calm, clear cues, lovely studio.'),
  ('Sunrise Vinyasa', 'dev@demo.numina', 4, 'Great flow; a bit crowded near the door.'),
  ('Lunchtime HIIT', 'dev@demo.numina', 5, 'Exactly thirty minutes, exactly as hard as promised.'),
  ('Small-group Pilates', 'emi@demo.numina', 4, '')
) AS r (class_title, email, rating, text)
JOIN classes c ON c.title = r.class_title
JOIN users u ON u.email = r.email;

INSERT INTO activities (user_id, kind, text, created_at)
SELECT u.id, a.kind, a.text, now() - a.ago
FROM (VALUES
  ('chloe@demo.numina', 'workout', 'Easy 10 km along the river, 5:40/km.', interval '26 hours'),
  ('dev@demo.numina', 'achievement', 'Sent my first 6c at the bouldering wall!', interval '20 hours'),
  ('ava@demo.numina', 'post', 'New Yin Yoga class this week: long holds, soft music.', interval '8 hours'),
  ('chloe@demo.numina', 'post', 'Who is coming to the Tempo Run Club?', interval '3 hours'),
  ('emi@demo.numina', 'workout', 'First kettlebell session booked. Nervous!', interval '1 hour')
) AS a (email, kind, text, ago)
JOIN users u ON u.email = a.email;

-- One conversation, between Chloe and Dev; a pair is stored ordered.
WITH pair AS (
  SELECT least(c.id, d.id) AS user_a, greatest(c.id, d.id) AS user_b
  FROM users c, users d
  WHERE c.email = 'chloe@demo.numina' AND d.email = 'dev@demo.numina'
), conversation AS (
  INSERT INTO conversations (user_a, user_b, created_at, last_message_at)
  SELECT user_a, user_b, now() - interval '2 hours',
         now() - interval '100 minutes'
  FROM pair
  RETURNING id
)
INSERT INTO messages (conversation_id, sender_id, recipient_id, text, sent_at)
SELECT conversation.id, s.id, r.id, m.text, now() - m.ago
FROM conversation,
  (VALUES
    ('chloe@demo.numina', 'dev@demo.numina',
     'Tempo run on Thursday? I could use a pacer.', interval '2 hours'),
    ('dev@demo.numina', 'chloe@demo.numina',
     'In! I booked it already. See you at the boathouse.', interval '110 minutes'),
    ('chloe@demo.numina', 'dev@demo.numina',
     'Great, bring the gels.', interval '100 minutes')
  ) AS m (from_email, to_email, text, ago)
JOIN users s ON s.email = m.from_email
JOIN users r ON r.email = m.to_email;
