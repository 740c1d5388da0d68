// Own user objects, public profiles and follow lists (users.hpp: users_*).
#include "storage/keyset.hpp"
#include "storage/list_statements.hpp"
#include "storage/operation.hpp"
#include "storage/user_sql.hpp"

namespace numina::storage {

// Newest follow first, in whole seconds and then by the other user's id:
// the order of the 0002 indexes, which also makes `since` the exact page
// key (see 0002_follow_list_indexes.sql for why not the raw time).
const statement followers_list{
    "users.followers",
    "SELECT u.id, u.name, date_trunc('second', f.created_at AT TIME ZONE"
    " 'UTC') AT TIME ZONE 'UTC' AS since"
    " FROM follows f JOIN users u ON u.id = f.follower_id"
    " WHERE f.following_id = $1"
    "   AND (date_trunc('second', f.created_at AT TIME ZONE 'UTC'),"
    "        f.follower_id)"
    "     < (to_timestamp($2::float8) AT TIME ZONE 'UTC', $3)"
    " ORDER BY date_trunc('second', f.created_at AT TIME ZONE 'UTC') DESC,"
    "          f.follower_id DESC"
    " LIMIT $4::int + 1"};

const statement following_list{
    "users.following",
    "SELECT u.id, u.name, date_trunc('second', f.created_at AT TIME ZONE"
    " 'UTC') AT TIME ZONE 'UTC' AS since"
    " FROM follows f JOIN users u ON u.id = f.following_id"
    " WHERE f.follower_id = $1"
    "   AND (date_trunc('second', f.created_at AT TIME ZONE 'UTC'),"
    "        f.following_id)"
    "     < (to_timestamp($2::float8) AT TIME ZONE 'UTC', $3)"
    " ORDER BY date_trunc('second', f.created_at AT TIME ZONE 'UTC') DESC,"
    "          f.following_id DESC"
    " LIMIT $4::int + 1"};

namespace {

const statement get_sql{"users.get", "SELECT " NUMINA_USER_COLUMNS " FROM users"
                                     " WHERE id = $1"};

// coalesce keeps a field the caller did not send (NULL).
const statement patch_sql{"users.patch",
                          "UPDATE users SET name = coalesce($2, name),"
                          " bio = coalesce($3, bio), updated_at = whole_now()"
                          " WHERE id = $1 RETURNING " NUMINA_USER_COLUMNS};

// The counts come from the follows indexes alone (follows_following_idx
// and the primary key, led by follower_id). No email: it is not public.
const statement profile_sql{
    "users.profile",
    "SELECT u.id, u.name, u.bio, u.created_at, u.updated_at,"
    " (SELECT count(*) FROM follows WHERE following_id = u.id) AS followers,"
    " (SELECT count(*) FROM follows WHERE follower_id = u.id) AS following"
    " FROM users u WHERE u.id = $1"};

// [id] -> the own user row, or no row.
row_set get(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, get_sql, p.i64(0)));
}

// [id, name|NULL, bio|NULL] -> the new user row, or no row.
row_set patch(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, patch_sql, p.i64(0), p.text_or_null(1),
                                   p.text_or_null(2)));
}

// [id] -> public fields with followers and following counts, or no row.
row_set profile(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, profile_sql, p.i64(0)));
}

// [id, after_at|NULL, after_id|NULL, limit] -> up to limit + 1 rows of
// id, name, since; newest follow first. Without a cursor the key starts
// above every row (infinity).
row_set follow_page(pqxx::work& tx, const params& p, const statement& s) {
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, s, p.i64(0),
                                   time_param_or(p, 1, open_high), after_id,
                                   page_limit(p, 3)));
}

row_set followers(pqxx::work& tx, const params& p) {
  return follow_page(tx, p, followers_list);
}

row_set following(pqxx::work& tx, const params& p) {
  return follow_page(tx, p, following_list);
}

} // namespace

void add_user_operations(std::vector<operation>& out) {
  out.push_back({"users.get", get, true});
  out.push_back({"users.patch", patch});
  out.push_back({"users.profile", profile, true});
  out.push_back({"users.followers", followers, true});
  out.push_back({"users.following", following, true});
}

} // namespace numina::storage
