// Follows, activities and reading the materialised feed (social.hpp:
// social_*). Writes here only record; the feed job (feed_job_ops.cpp)
// builds the feeds from what the 0003 triggers queue.
#include "storage/keyset.hpp"
#include "storage/operation.hpp"
#include "storage/social_statements.hpp"

namespace numina::storage {

// Newest first by (created_at, id): the order of
// feed_items_owner_created_at_idx, read backwards, so a page is one index
// range that stops after limit + 1 rows. created_at is the copy in
// feed_items, i.e. exactly the index key that the page key repeats.
const statement feed_page_list{
    "social.feed", "SELECT a.id, a.user_id, a.kind, a.text,"
                   " fi.activity_created_at AS created_at, u.name AS user_name"
                   " FROM feed_items fi"
                   " JOIN activities a ON a.id = fi.activity_id"
                   " JOIN users u ON u.id = a.user_id"
                   " WHERE fi.owner_id = $1"
                   "   AND (fi.activity_created_at, fi.activity_id)"
                   "     < (to_timestamp($2::float8), $3)"
                   " ORDER BY fi.activity_created_at DESC, fi.activity_id DESC"
                   " LIMIT $4::int + 1"};

namespace {

// The follow and both users' updated_at in one statement: a profile's
// counts change with it, and Last-Modified must say so. Nothing moves when
// the follow was already there. `found` tells an unknown user (no row to
// insert) from a repeat (a row, but no conflict-free insert).
const statement follow_sql{
    "social.follow",
    "WITH target AS (SELECT id FROM users WHERE id = $2::bigint),"
    " added AS (INSERT INTO follows (follower_id, following_id)"
    "   SELECT $1::bigint, id FROM target"
    "   ON CONFLICT DO NOTHING RETURNING following_id),"
    " touched AS (UPDATE users SET updated_at = whole_now()"
    "   WHERE id IN ($1::bigint, $2::bigint)"
    "     AND EXISTS (SELECT 1 FROM added) RETURNING id)"
    " SELECT EXISTS (SELECT 1 FROM target) AS found,"
    "  EXISTS (SELECT 1 FROM added) AS changed"};

const statement unfollow_sql{
    "social.unfollow",
    "WITH target AS (SELECT id FROM users WHERE id = $2::bigint),"
    " removed AS (DELETE FROM follows"
    "   WHERE follower_id = $1::bigint AND following_id = $2::bigint"
    "   RETURNING following_id),"
    " touched AS (UPDATE users SET updated_at = whole_now()"
    "   WHERE id IN ($1::bigint, $2::bigint)"
    "     AND EXISTS (SELECT 1 FROM removed) RETURNING id)"
    " SELECT EXISTS (SELECT 1 FROM target) AS found,"
    "  EXISTS (SELECT 1 FROM removed) AS changed"};

// created_at defaults to whole_now(); the 0003 trigger queues the activity
// for the feed job in this same transaction.
const statement post_activity_sql{
    "social.post_activity",
    "INSERT INTO activities (user_id, kind, text) VALUES ($1, $2, $3)"
    " RETURNING id, user_id, kind, text, created_at"};

// [follower, following] for follow and unfollow: oneself is refused before
// any SQL runs (the CHECK on follows would only say validation_failed).
void refuse_self(const params& p) {
  if (p.i64(0) == p.i64(1))
    throw domain_error(
        failure::invalid("id", "You cannot follow or unfollow yourself."));
}

// One row: found, changed. An unknown user is not_found.
row_set change_follow(pqxx::work& tx, const params& p, const statement& s) {
  refuse_self(p);
  const pqxx::result r = exec_statement(tx, s, p.i64(0), p.i64(1));
  if (r.empty() || !r[0]["found"].as<bool>())
    throw domain_error(failure::of(error_code::not_found, "No such user."));
  return to_row_set(r);
}

// [follower, following] -> found, changed.
row_set follow(pqxx::work& tx, const params& p) {
  return change_follow(tx, p, follow_sql);
}

// [follower, following] -> found, changed.
row_set unfollow(pqxx::work& tx, const params& p) {
  return change_follow(tx, p, unfollow_sql);
}

// [user_id, kind, text] -> the activity row. A user that is gone fails the
// foreign key (not_found); a kind or text outside the rules fails a CHECK
// (validation_failed): the HTTP layer checks both first.
row_set post_activity(pqxx::work& tx, const params& p) {
  return to_row_set(
      exec_statement(tx, post_activity_sql, p.i64(0), p.text(1), p.text(2)));
}

// [owner, before_at|NULL, before_id|NULL, limit] -> up to limit + 1 feed
// rows. Without a cursor the key starts above every row (infinity).
row_set feed(pqxx::work& tx, const params& p) {
  const int64_t before_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, feed_page_list, p.i64(0),
                                   time_param_or(p, 1, open_high), before_id,
                                   page_limit(p, 3)));
}

} // namespace

void add_social_operations(std::vector<operation>& out) {
  out.push_back({"social.follow", follow});
  out.push_back({"social.unfollow", unfollow});
  out.push_back({"social.post_activity", post_activity});
  out.push_back({"social.feed", feed, true});
}

} // namespace numina::storage
