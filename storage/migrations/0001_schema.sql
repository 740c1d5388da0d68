-- 0001_schema: the whole domain of contract v1 (spec/api.md).
--
-- Conventions:
-- * Ids are `bigint generated always as identity`: the database hands them
--   out, and a client-supplied id cannot collide with the sequence.
-- * Every timestamp is timestamptz; connections run in UTC.
-- * Length checks use char_length (code points), as the contract counts.
--   The HTTP layer validates first and answers 400; these checks are the
--   last line that keeps a bug from storing what the contract forbids.
-- * ON DELETE CASCADE wherever a row means nothing without its parent.
-- * This file runs in the migrator's single transaction, so it must not
--   use statements that refuse a transaction block (CREATE INDEX
--   CONCURRENTLY, VACUUM, ...).

-- The contract writes timestamps in whole seconds and orders lists by
-- (time, id); storing whole seconds keeps that order, the rendered values
-- and the keyset cursors in agreement. Every write uses whole_now().
CREATE FUNCTION whole_now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT date_trunc('second', now()) $$;

-- Users --------------------------------------------------------------------

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Stored as given; uniqueness and lookups are case-insensitive through
  -- the lower(email) index below (queries must use lower(email) too).
  email         text NOT NULL CHECK (char_length(email) BETWEEN 1 AND 254),
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  bio           text NOT NULL DEFAULT '' CHECK (char_length(bio) <= 1000),
  -- The whole self-describing argon2id string (algorithm, limits, salt).
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT whole_now(),
  updated_at    timestamptz NOT NULL DEFAULT whole_now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at);

-- Only the BLAKE2b-256 hash of a bearer token is stored, so a leaked table
-- does not leak live tokens. Revoked sessions stay until a cleanup removes
-- them, so logout is a single UPDATE and works on every node at once.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT whole_now(),
  revoked_at timestamptz
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Classes and bookings -----------------------------------------------------

CREATE TABLE classes (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description  text NOT NULL DEFAULT ''
                 CHECK (char_length(description) <= 5000),
  location     text NOT NULL DEFAULT '' CHECK (char_length(location) <= 200),
  starts_at    timestamptz NOT NULL,
  duration_min integer NOT NULL CHECK (duration_min BETWEEN 1 AND 1440),
  capacity     integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
  -- A counter beside the bookings rows: booking takes a seat with
  -- `UPDATE ... SET booked = booked + 1 WHERE booked < capacity`, whose row
  -- lock serialises concurrent bookers. The CHECK is the backstop that
  -- makes overbooking impossible even if a query gets that wrong, and it
  -- also refuses a capacity PATCH below the current bookings.
  booked       integer NOT NULL DEFAULT 0
                 CHECK (booked >= 0 AND booked <= capacity),
  created_at   timestamptz NOT NULL DEFAULT whole_now(),
  updated_at   timestamptz NOT NULL DEFAULT whole_now()
);
-- The listing order is (starts_at, id); the id makes cursors unambiguous.
CREATE INDEX classes_starts_at_idx ON classes (starts_at, id);
CREATE INDEX classes_provider_starts_at_idx
  ON classes (provider_id, starts_at, id);

CREATE TABLE bookings (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  class_id        bigint NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- A copy of classes.starts_at, so "my bookings" can be listed in class
  -- order from one index without a join. The triggers below keep it in
  -- step with the class, whatever the application writes here.
  class_starts_at timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT whole_now(),
  -- One booking per user and class (a violation means already_booked).
  -- Its index, led by class_id, also serves every lookup by class (the
  -- bookings of a class, training-partner matches), so there is no
  -- separate index on class_id alone.
  CONSTRAINT bookings_class_user_key UNIQUE (class_id, user_id)
);
CREATE INDEX bookings_user_starts_at_idx
  ON bookings (user_id, class_starts_at, id);

CREATE FUNCTION bookings_copy_class_starts_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT starts_at INTO NEW.class_starts_at
    FROM classes WHERE id = NEW.class_id;
  -- No such class: a placeholder gets the row past NOT NULL (checked
  -- before foreign keys), so that the foreign key refuses it with its own
  -- error (23503), which callers map to not_found.
  IF NEW.class_starts_at IS NULL THEN
    NEW.class_starts_at := 'epoch';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER bookings_copy_class_starts_at
  BEFORE INSERT OR UPDATE OF class_id, class_starts_at ON bookings
  FOR EACH ROW EXECUTE FUNCTION bookings_copy_class_starts_at();

CREATE FUNCTION classes_move_bookings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE bookings SET class_starts_at = NEW.starts_at
   WHERE class_id = NEW.id;
  RETURN NULL;
END $$;

-- Fires only when starts_at really changes, not on every booked += 1.
CREATE TRIGGER classes_move_bookings
  AFTER UPDATE OF starts_at ON classes
  FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at)
  EXECUTE FUNCTION classes_move_bookings();

-- Reviews and ratings ------------------------------------------------------

CREATE TABLE reviews (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  class_id   bigint NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating     integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  text       text NOT NULL DEFAULT '' CHECK (char_length(text) <= 2000),
  created_at timestamptz NOT NULL DEFAULT whole_now(),
  -- One review per user and class (a violation means already_reviewed).
  CONSTRAINT reviews_class_user_key UNIQUE (class_id, user_id)
);
CREATE INDEX reviews_class_created_at_idx
  ON reviews (class_id, created_at, id);

-- Written only by the rating aggregation job; reads may lag behind reviews
-- until its next run (the contract allows it). No row: never aggregated,
-- which the API shows as average null, count 0.
CREATE TABLE rating_aggregates (
  class_id    bigint PRIMARY KEY REFERENCES classes (id) ON DELETE CASCADE,
  -- double precision: the API renders a JSON number, not a fixed decimal.
  average     double precision CHECK (average BETWEEN 1 AND 5),
  count       integer NOT NULL DEFAULT 0 CHECK (count >= 0),
  h1          integer NOT NULL DEFAULT 0 CHECK (h1 >= 0),
  h2          integer NOT NULL DEFAULT 0 CHECK (h2 >= 0),
  h3          integer NOT NULL DEFAULT 0 CHECK (h3 >= 0),
  h4          integer NOT NULL DEFAULT 0 CHECK (h4 >= 0),
  h5          integer NOT NULL DEFAULT 0 CHECK (h5 >= 0),
  computed_at timestamptz NOT NULL DEFAULT whole_now(),
  CHECK (count = h1 + h2 + h3 + h4 + h5),
  CHECK ((count = 0) = (average IS NULL))
);

-- Social -------------------------------------------------------------------

CREATE TABLE follows (
  follower_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  following_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT whole_now(),
  PRIMARY KEY (follower_id, following_id),
  CHECK (follower_id <> following_id)
);
-- The primary key, led by follower_id, serves "whom does X follow", so
-- there is no separate index on follower_id alone.
-- "Who follows X", answered from the index alone.
CREATE INDEX follows_following_idx ON follows (following_id, follower_id);

CREATE TABLE activities (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('workout', 'post', 'achievement')),
  text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT whole_now()
);
CREATE INDEX activities_user_created_at_idx
  ON activities (user_id, created_at, id);

-- The materialised feed, written by the feed job (fan-out on its run, not
-- on write). activity_created_at is copied so a page of the feed comes
-- from one index scan in the contract's (created_at, id) order.
CREATE TABLE feed_items (
  owner_id            bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  activity_id         bigint NOT NULL
                        REFERENCES activities (id) ON DELETE CASCADE,
  activity_created_at timestamptz NOT NULL,
  PRIMARY KEY (owner_id, activity_id)
);
CREATE INDEX feed_items_owner_created_at_idx
  ON feed_items (owner_id, activity_created_at, activity_id);

-- Messages -----------------------------------------------------------------

-- One conversation per pair: the pair is stored ordered (user_a < user_b)
-- so that (a, b) and (b, a) hit the same unique key.
CREATE TABLE conversations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_a          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_b          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT whole_now(),
  last_message_at timestamptz NOT NULL DEFAULT whole_now(),
  CHECK (user_a < user_b),
  CONSTRAINT conversations_pair_key UNIQUE (user_a, user_b)
);
-- A user's conversations, most recent first, from either side of the pair.
-- (The pair key above already serves user_a lookups; this index adds the
-- listing order.)
CREATE INDEX conversations_user_a_idx
  ON conversations (user_a, last_message_at, id);
CREATE INDEX conversations_user_b_idx
  ON conversations (user_b, last_message_at, id);

CREATE TABLE messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id bigint NOT NULL
                    REFERENCES conversations (id) ON DELETE CASCADE,
  sender_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  recipient_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  text            text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
  sent_at         timestamptz NOT NULL DEFAULT whole_now(),
  CHECK (sender_id <> recipient_id)
);
CREATE INDEX messages_conversation_sent_at_idx
  ON messages (conversation_id, sent_at, id);

-- Notifications ------------------------------------------------------------

CREATE TABLE notifications (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL
               CHECK (kind IN ('new_follower', 'new_message', 'class_reminder')),
  payload    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  created_at timestamptz NOT NULL DEFAULT whole_now(),
  read_at    timestamptz,
  -- What the notification is about (a follower id, a message id, a class
  -- id): the job inserts with ON CONFLICT DO NOTHING on the key below, so
  -- a rerun, an overlapping run on another node or a crash between insert
  -- and watermark update never notifies twice.
  dedup_key  text NOT NULL,
  CONSTRAINT notifications_dedup_key UNIQUE (user_id, kind, dedup_key)
);
CREATE INDEX notifications_user_created_at_idx
  ON notifications (user_id, created_at, id);

-- Idempotency keys -----------------------------------------------------------

-- The first response to a POST carrying an Idempotency-Key. A row is
-- inserted as 'running' before the handler runs (the primary key makes a
-- concurrent repeat fail: 409), then completed as 'done' with the response,
-- or deleted when the response must not be stored (5xx, 429).
CREATE TABLE idempotency_keys (
  scope        text NOT NULL, -- caller + method + path
  key          text NOT NULL,
  request_hash text NOT NULL, -- of the parsed body: a mismatch is a 422
  state        text NOT NULL CHECK (state IN ('running', 'done')),
  status       integer CHECK (status BETWEEN 100 AND 599),
  body         text,
  headers      text,
  created_at   timestamptz NOT NULL DEFAULT whole_now(),
  PRIMARY KEY (scope, key),
  CHECK (state = 'running' OR status IS NOT NULL)
);
-- Expiry after 24 hours deletes by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Background jobs ------------------------------------------------------------

-- Per job (or per stream of a job, e.g. 'notifications.messages'): when it
-- last ran and how far an incremental job has got. The watermark is shared
-- by the cluster, so whichever node runs the job next continues from it.
CREATE TABLE job_state (
  name         text PRIMARY KEY,
  last_run_at  timestamptz,
  watermark_id bigint,      -- highest id already processed
  watermark_at timestamptz, -- or the time processed up to
  updated_at   timestamptz NOT NULL DEFAULT whole_now()
);
