// The feed job's storage operation, jobs.feed (social.hpp: feed_job_chunk;
// the job actor of actors/job.hpp calls it while `more` is true).
//
// Fan-out on the job's run, not on write: posting an activity or following
// someone only queues the change (triggers of migration 0003). Each chunk
// takes at most batch_size queued changes and brings the affected feeds in
// line with follows as they are now:
//   1. pending activities: insert each into its author's feed and into the
//      feed of everyone who follows the author;
//   2. changed follow pairs: if the follow exists, copy all the followee's
//      activities into the follower's feed (an activity posted before the
//      follow appears), else remove them (an unfollow).
// Every insert is ON CONFLICT DO NOTHING on feed_items' primary key and
// every step compares with the current follows, so a chunk run twice, or a
// change seen by both steps, writes nothing twice: a rerun with nothing
// queued touches no row.
//
// Concurrency: each chunk first locks the job's row in job_state, so
// chunks of runs on several nodes take turns rather than interleave (an
// interleaving could re-insert an item that a concurrent chunk had just
// removed for an unfollow). Queue rows are taken with FOR UPDATE SKIP
// LOCKED and deleted in the same statement: a change whose transaction is
// still open is left for the next chunk or run, never lost (see the
// migration for why the follows trigger upserts with DO UPDATE).
#include <set>
#include <string>

#include "storage/jobs.hpp"
#include "storage/operation.hpp"
#include "storage/social_statements.hpp"

namespace numina::storage {

// Both steps answer one row: taken (queue rows consumed), last_activity
// (highest activity id fanned out, 0 for none), touched (feed rows written
// or removed), owners (ids of the feeds that changed, comma-separated).
const statement feed_fan_out{
    "jobs.feed.fan_out",
    "WITH taken AS ("
    "  DELETE FROM feed_pending_activities WHERE activity_id IN ("
    "    SELECT activity_id FROM feed_pending_activities"
    "     ORDER BY activity_id LIMIT $1 FOR UPDATE SKIP LOCKED)"
    "  RETURNING activity_id),"
    " posted AS ("
    "  SELECT a.id, a.user_id, a.created_at"
    "    FROM taken t JOIN activities a ON a.id = t.activity_id),"
    " written AS ("
    "  INSERT INTO feed_items (owner_id, activity_id, activity_created_at)"
    "  SELECT p.user_id, p.id, p.created_at FROM posted p"
    "  UNION ALL"
    "  SELECT f.follower_id, p.id, p.created_at"
    "    FROM posted p JOIN follows f ON f.following_id = p.user_id"
    "  ON CONFLICT DO NOTHING RETURNING owner_id)"
    " SELECT (SELECT count(*) FROM taken) AS taken,"
    "  (SELECT coalesce(max(activity_id), 0) FROM taken) AS last_activity,"
    "  (SELECT count(*) FROM written) AS touched,"
    "  (SELECT coalesce(string_agg(DISTINCT owner_id::text, ','), '')"
    "     FROM written) AS owners"};

// A pair is judged by whether the follow exists now, not by what the
// queued change was: a follow and an unfollow between two runs cancel out.
const statement feed_settle_follows{
    "jobs.feed.settle_follows",
    "WITH taken AS ("
    "  DELETE FROM feed_pending_follows"
    "   WHERE (follower_id, following_id) IN ("
    "    SELECT follower_id, following_id FROM feed_pending_follows"
    "     ORDER BY follower_id, following_id LIMIT $1"
    "     FOR UPDATE SKIP LOCKED)"
    "  RETURNING follower_id, following_id),"
    " pairs AS ("
    "  SELECT t.follower_id, t.following_id,"
    "   EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = t.follower_id"
    "            AND f.following_id = t.following_id) AS live"
    "    FROM taken t),"
    " added AS ("
    "  INSERT INTO feed_items (owner_id, activity_id, activity_created_at)"
    "  SELECT p.follower_id, a.id, a.created_at"
    "    FROM pairs p JOIN activities a ON a.user_id = p.following_id"
    "   WHERE p.live"
    "  ON CONFLICT DO NOTHING RETURNING owner_id),"
    " removed AS ("
    "  DELETE FROM feed_items fi USING pairs p, activities a"
    "   WHERE NOT p.live AND fi.owner_id = p.follower_id"
    "     AND a.id = fi.activity_id AND a.user_id = p.following_id"
    "  RETURNING fi.owner_id),"
    " changed AS ("
    "  SELECT owner_id FROM added UNION ALL SELECT owner_id FROM removed)"
    " SELECT (SELECT count(*) FROM taken) AS taken, 0::bigint AS last_activity,"
    "  (SELECT count(*) FROM changed) AS touched,"
    "  (SELECT coalesce(string_agg(DISTINCT owner_id::text, ','), '')"
    "     FROM changed) AS owners"};

namespace {

// Locks the job's row for the rest of the chunk: a chunk of another run
// (another node) waits here until this one commits. The row exists from
// migration 0003; the upsert recreates it if someone deleted it.
const statement lock_sql{
    "jobs.feed.lock",
    "INSERT INTO job_state (name, last_run_at) VALUES ('feed', whole_now())"
    " ON CONFLICT (name) DO UPDATE"
    " SET last_run_at = whole_now(), updated_at = whole_now()"};

// Progress for operators: the highest activity id fanned out so far and
// when a chunk last did work. Not what decides the next chunk's work (the
// queues do; see migration 0003 for why a watermark cannot).
const statement progress_sql{
    "jobs.feed.progress",
    "UPDATE job_state SET"
    " watermark_id = greatest(coalesce(watermark_id, 0), $1::bigint),"
    " watermark_at = whole_now(), updated_at = whole_now()"
    " WHERE name = 'feed'"};

struct step_result {
  int64_t taken = 0;
  int64_t last_activity = 0;
  int64_t touched = 0;
};

// Runs one step with a budget of `limit` queue rows and adds the owners
// whose feeds changed to `owners`.
step_result run_step(pqxx::work& tx, const statement& s, int64_t limit,
                     std::set<int64_t>& owners) {
  const pqxx::row r = exec_statement(tx, s, limit).at(0);
  step_result out;
  out.taken = r["taken"].as<int64_t>();
  out.last_activity = r["last_activity"].as<int64_t>();
  out.touched = r["touched"].as<int64_t>();
  const std::string list = r["owners"].as<std::string>();
  for (size_t at = 0; at < list.size();) {
    size_t end = list.find(',', at);
    if (end == std::string::npos)
      end = list.size();
    owners.insert(std::stoll(list.substr(at, end - at)));
    at = end + 1;
  }
  return out;
}

// [batch_size] -> one row: touched, more, stale (the job contract of
// actors/job.hpp).
row_set chunk(pqxx::work& tx, const params& p) {
  const int64_t batch = p.i64(0);
  if (batch < 1)
    throw domain_error(failure::of(error_code::internal,
                                   "jobs.feed needs a batch size above 0"));
  exec_statement(tx, lock_sql);
  std::set<int64_t> owners;
  const auto fanned = run_step(tx, feed_fan_out, batch, owners);
  step_result settled;
  if (fanned.taken < batch)
    settled = run_step(tx, feed_settle_follows, batch - fanned.taken, owners);
  const int64_t taken = fanned.taken + settled.taken;
  if (taken > 0)
    exec_statement(tx, progress_sql, fanned.last_activity);
  // A full batch may have left more behind. A short one took everything
  // it could: what it skipped is still being written and belongs to the
  // next run (reporting `more` for it would spin until its writer commits).
  job_chunk out;
  out.touched = fanned.touched + settled.touched;
  out.more = taken == batch;
  // The same prefix as http/cache_keys.hpp's feed_prefix(): when you change
  // one, change the other.
  for (int64_t owner : owners)
    out.stale.push_back("feed:" + std::to_string(owner) + "|");
  return job_chunk_rows(out);
}

} // namespace

void add_feed_job_operations(std::vector<operation>& out) {
  out.push_back({"jobs.feed", chunk});
}

} // namespace numina::storage
