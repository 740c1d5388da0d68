// The notification job (notifications.hpp: jobs_notifications). Each call
// writes one chunk of notifications:
// - new_follower for follows and new_message for messages inserted since
//   the watermark, read by inserting transaction below the horizon of
//   finished ones (why: xact_window.hpp), one watermark for both streams;
// - class_reminder for every booking of a class starting within the next
//   hour that has none yet (a window scanned every run, so a booking made
//   late still gets its reminder).
//
// Exactly once is the database's guarantee, not the watermark's: every
// notification has a dedup key (the follower, the message, the class) and
// is inserted with ON CONFLICT DO NOTHING on the unique (user_id, kind,
// dedup_key). A retried chunk, two nodes running at once, or a crash between
// the inserts and the watermark update therefore never notify twice. Runs
// are deliberately not serialized: the watermark only moves forward.
#include "storage/jobs.hpp"
#include "storage/notification_statements.hpp"
#include "storage/operation.hpp"
#include "storage/xact_window.hpp"

namespace numina::storage {

// The next `size` events of both streams together, in xact order; the
// caller takes the rest of the last transaction too, so the watermark is
// one xact.
const statement notification_job_chunk{
    "jobs.notifications.chunk",
    "SELECT max(x::text::bigint) AS last, count(*) AS n FROM ("
    " SELECT x FROM ("
    "  (SELECT f.xact AS x FROM follows f"
    "    WHERE f.xact > $1::text::xid8 AND f.xact < $2::text::xid8"
    "    ORDER BY f.xact LIMIT $3)"
    "  UNION ALL"
    "  (SELECT m.xact FROM messages m"
    "    WHERE m.xact > $1::text::xid8 AND m.xact < $2::text::xid8"
    "    ORDER BY m.xact LIMIT $3)) events"
    " ORDER BY x LIMIT $3) chunk"};

// The bookings to remind, in start order, skipping those reminded already
// (the anti-join uses notifications_dedup_key; ON CONFLICT settles a race
// with another run). starts_at in the payload is RFC 3339 like every time
// the API shows.
const statement notification_job_reminders{
    "jobs.notifications.reminders",
    "WITH due AS ("
    "  SELECT b.user_id, c.id AS class_id, c.title, c.starts_at"
    "    FROM classes c JOIN bookings b ON b.class_id = c.id"
    "   WHERE c.starts_at > whole_now()"
    "     AND c.starts_at <= whole_now() + interval '1 hour'"
    "     AND NOT EXISTS (SELECT 1 FROM notifications n"
    "          WHERE n.user_id = b.user_id AND n.kind = 'class_reminder'"
    "            AND n.dedup_key = b.class_id::text)"
    "   ORDER BY c.starts_at, c.id, b.user_id LIMIT $1),"
    " added AS ("
    "  INSERT INTO notifications (user_id, kind, payload, dedup_key)"
    "  SELECT user_id, 'class_reminder', jsonb_build_object("
    "    'class_id', class_id, 'title', title, 'starts_at',"
    "    to_char(starts_at AT TIME ZONE 'UTC',"
    "            'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')),"
    "   class_id::text"
    "  FROM due ORDER BY starts_at, class_id, user_id"
    "  ON CONFLICT ON CONSTRAINT notifications_dedup_key DO NOTHING"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM due) AS due,"
    " (SELECT count(*) FROM added) AS added"};

namespace {

const statement ensure_sql{
    "jobs.notifications.ensure",
    "INSERT INTO job_state (name) VALUES ('notifications')"
    " ON CONFLICT (name) DO NOTHING"};

// No lock: concurrent runs are allowed (see above).
const statement watermark_sql{"jobs.notifications.watermark",
                              "SELECT coalesce(watermark_id, 0)"
                              " FROM job_state WHERE name = 'notifications'"};

// Insert order follows the events, so at one created_at a later event has
// the higher id (newest first by (created_at, id)). Both streams insert in
// a fixed order, so two runs inserting the same keys wait for each other
// instead of deadlocking.
const statement followers_sql{
    "jobs.notifications.followers",
    "WITH added AS ("
    " INSERT INTO notifications (user_id, kind, payload, dedup_key)"
    " SELECT f.following_id, 'new_follower', jsonb_build_object('follower',"
    "   jsonb_build_object('id', u.id, 'name', u.name)), f.follower_id::text"
    "  FROM follows f JOIN users u ON u.id = f.follower_id"
    "  WHERE f.xact > $1::text::xid8 AND f.xact <= $2::text::xid8"
    "  ORDER BY f.xact, f.following_id, f.follower_id"
    " ON CONFLICT ON CONSTRAINT notifications_dedup_key DO NOTHING"
    " RETURNING 1) SELECT count(*) FROM added"};

const statement messages_sql{
    "jobs.notifications.messages",
    "WITH added AS ("
    " INSERT INTO notifications (user_id, kind, payload, dedup_key)"
    " SELECT m.recipient_id, 'new_message', jsonb_build_object("
    "   'message_id', m.id, 'from',"
    "   jsonb_build_object('id', u.id, 'name', u.name)), m.id::text"
    "  FROM messages m JOIN users u ON u.id = m.sender_id"
    "  WHERE m.xact > $1::text::xid8 AND m.xact <= $2::text::xid8"
    "  ORDER BY m.xact, m.id"
    " ON CONFLICT ON CONSTRAINT notifications_dedup_key DO NOTHING"
    " RETURNING 1) SELECT count(*) FROM added"};

// Forward only, so a slower concurrent run cannot move it back; `reset`
// (data restored from another cluster) sets it outright.
const statement advance_sql{
    "jobs.notifications.advance",
    "UPDATE job_state SET watermark_id = CASE WHEN $2::bool THEN $1"
    "   ELSE greatest(coalesce(watermark_id, 0), $1) END,"
    " last_run_at = whole_now(), updated_at = whole_now()"
    " WHERE name = 'notifications'"};

// [batch_size] -> the job_chunk row: touched (notifications written), more,
// stale (always empty: notifications are not cached).
row_set run(pqxx::work& tx, const params& p) {
  const int64_t batch = job_batch_size(p, 0);
  exec_statement(tx, ensure_sql);
  // A reset (data from another cluster) reads everything again; the dedup
  // keys keep that from notifying twice.
  const auto window = read_xact_window(
      tx, exec_statement(tx, watermark_sql)[0][0].as<int64_t>());
  const auto from = std::to_string(window.from);
  const pqxx::row chunk = exec_statement(tx, notification_job_chunk, from,
                                         window.horizon, batch)[0];
  job_chunk out;
  int64_t reached = window.from;
  if (!chunk["last"].is_null()) {
    reached = chunk["last"].as<int64_t>();
    const auto to = std::to_string(reached);
    out.touched +=
        exec_statement(tx, followers_sql, from, to)[0][0].as<int64_t>();
    out.touched +=
        exec_statement(tx, messages_sql, from, to)[0][0].as<int64_t>();
    out.more = chunk["n"].as<int64_t>() >= batch;
  }
  const pqxx::row reminders =
      exec_statement(tx, notification_job_reminders, batch)[0];
  out.touched += reminders["added"].as<int64_t>();
  out.more = out.more || reminders["due"].as<int64_t>() >= batch;
  exec_statement(tx, advance_sql, reached, window.reset);
  return job_chunk_rows(out);
}

} // namespace

void add_notification_job_operations(std::vector<operation>& out) {
  out.push_back({"jobs.notifications", run});
}

} // namespace numina::storage
