// Classes: create, read, list and change (classes.hpp: classes_*).
#include "storage/class_sql.hpp"
#include "storage/keyset.hpp"
#include "storage/list_statements.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

// The lower bound is one row comparison: it serves a cursor and `from`
// alike, and the index range starts exactly there.
const statement classes_list_all{
    "classes.list",
    "SELECT " NUMINA_CLASS_COLUMNS " FROM classes c" NUMINA_CLASS_RATING_JOIN
    " WHERE (c.starts_at, c.id) > (to_timestamp($1::float8), $2)"
    "   AND c.starts_at <= to_timestamp($3::float8)"
    " ORDER BY c.starts_at, c.id LIMIT $4::int + 1"};

// A statement of its own rather than `($5 IS NULL OR provider_id = $5)`:
// a cached generic plan could not use the provider index for that.
const statement classes_list_by_provider{
    "classes.list_by_provider",
    "SELECT " NUMINA_CLASS_COLUMNS " FROM classes c" NUMINA_CLASS_RATING_JOIN
    " WHERE c.provider_id = $5"
    "   AND (c.starts_at, c.id) > (to_timestamp($1::float8), $2)"
    "   AND c.starts_at <= to_timestamp($3::float8)"
    " ORDER BY c.starts_at, c.id LIMIT $4::int + 1"};

namespace {

const statement create_sql{
    "classes.create",
    "WITH c AS (INSERT INTO classes (provider_id, title, description,"
    " location, starts_at, duration_min, capacity)"
    " VALUES ($1, $2, $3, $4, to_timestamp($5::float8), $6, $7)"
    " RETURNING *)"
    " SELECT " NUMINA_CLASS_COLUMNS " FROM c" NUMINA_CLASS_RATING_JOIN};

const statement get_sql{"classes.get",
                        "SELECT " NUMINA_CLASS_COLUMNS
                        " FROM classes c" NUMINA_CLASS_RATING_JOIN
                        " WHERE c.id = $1"};

// NO KEY UPDATE is the lock the UPDATE below takes anyway: it holds off
// other changes and bookers (whose seat UPDATE needs the same lock) until
// we commit, while the foreign-key checks of concurrent booking INSERTs
// (KEY SHARE) need not wait.
const statement lock_sql{"classes.lock",
                         "SELECT provider_id, booked FROM classes"
                         " WHERE id = $1 FOR NO KEY UPDATE"};

// coalesce keeps every field the caller did not send (NULL).
const statement update_sql{
    "classes.update",
    "WITH c AS (UPDATE classes SET title = coalesce($2, title),"
    " description = coalesce($3, description),"
    " location = coalesce($4, location),"
    " starts_at = coalesce(to_timestamp($5::float8), starts_at),"
    " duration_min = coalesce($6::int, duration_min),"
    " capacity = coalesce($7::int, capacity), updated_at = whole_now()"
    " WHERE id = $1 RETURNING *)"
    " SELECT " NUMINA_CLASS_COLUMNS " FROM c" NUMINA_CLASS_RATING_JOIN};

// [provider_id, title, description, location, starts_at, duration_min,
//  capacity] -> the class row. not_found when the provider is gone.
row_set create(pqxx::work& tx, const params& p) {
  return to_row_set(
      exec_statement(tx, create_sql, p.i64(0), p.text(1), p.text(2), p.text(3),
                     std::to_string(p.i64(4)), p.i64(5), p.i64(6)));
}

// [id] -> the class row, or no row.
row_set get(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, get_sql, p.i64(0)));
}

// [from|NULL, to|NULL, provider_id|NULL, after_at|NULL, after_id|NULL,
//  limit] -> up to limit + 1 class rows in (starts_at, id) order.
row_set list(pqxx::work& tx, const params& p) {
  // The first row a page may hold: after the cursor's row and not before
  // `from`. (from, 0) admits every class starting at `from` (ids are
  // positive); a cursor is normally past it already, but is not trusted to.
  std::string low_at = open_low;
  int64_t low_id = 0;
  if (!p.is_null(0))
    low_at = time_param(p.i64(0));
  if (!p.is_null(3)) {
    const int64_t at = p.i64(3);
    const int64_t id = p.i64(4);
    if (p.is_null(0) || at > p.i64(0) || (at == p.i64(0) && id > 0)) {
      low_at = time_param(at);
      low_id = id;
    }
  }
  const std::string high_at = time_param_or(p, 1, open_high);
  const int64_t limit = page_limit(p, 5);
  if (p.is_null(2))
    return to_row_set(
        exec_statement(tx, classes_list_all, low_at, low_id, high_at, limit));
  return to_row_set(exec_statement(tx, classes_list_by_provider, low_at, low_id,
                                   high_at, limit, p.i64(2)));
}

// [id, caller, title|NULL, description|NULL, location|NULL,
//  starts_at|NULL, duration_min|NULL, capacity|NULL] -> the new class row.
row_set patch(pqxx::work& tx, const params& p) {
  const pqxx::result locked = exec_statement(tx, lock_sql, p.i64(0));
  if (locked.empty())
    throw domain_error(failure::of(error_code::not_found));
  if (locked[0]["provider_id"].as<int64_t>() != p.i64(1))
    throw domain_error(failure::of(error_code::forbidden));
  // The lock keeps `booked` from growing until we commit.
  if (!p.is_null(7) && p.i64(7) < locked[0]["booked"].as<int64_t>())
    throw domain_error(failure::of(
        error_code::conflict, "the capacity is below the current bookings"));
  const std::string starts_at = p.is_null(5) ? "" : std::to_string(p.i64(5));
  return to_row_set(exec_statement(tx, update_sql, p.i64(0), p.text_or_null(2),
                                   p.text_or_null(3), p.text_or_null(4),
                                   p.is_null(5) ? nullptr : starts_at.c_str(),
                                   p.text_or_null(6), p.text_or_null(7)));
}

} // namespace

void add_class_operations(std::vector<operation>& out) {
  out.push_back({"classes.create", create});
  out.push_back({"classes.get", get, true});
  out.push_back({"classes.list", list, true});
  out.push_back({"classes.patch", patch});
}

} // namespace numina::storage
