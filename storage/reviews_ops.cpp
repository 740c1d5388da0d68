// Reviews: write one, list a class's, read its rating (reviews.hpp:
// reviews_*, ratings_get).
#include "storage/keyset.hpp"
#include "storage/operation.hpp"
#include "storage/review_statements.hpp"

namespace numina::storage {

// The class row answers whether the class exists (no row: 404), and the
// subquery reads one page of its reviews from the index, newest first,
// stopping after limit + 1. A class without reviews gives one row whose
// review columns are NULL. The subquery names the class by the parameter,
// not by c.id, so that a custom plan knows how many reviews that class has
// (a popular class must be read backwards from the index, not sorted
// whole). The outer ORDER BY only restates the subquery's order (SQL keeps
// no order across a join otherwise); it sorts at most limit + 1 rows.
const statement reviews_list_page{
    "reviews.list",
    "SELECT c.id AS class_id, v.id, v.user_id, v.rating, v.text, v.created_at"
    " FROM classes c LEFT JOIN ("
    "   SELECT r.id, r.user_id, r.rating, r.text, r.created_at FROM reviews r"
    "    WHERE r.class_id = $1"
    "      AND (r.created_at, r.id) < (to_timestamp($2::float8), $3)"
    "    ORDER BY r.created_at DESC, r.id DESC LIMIT $4::int + 1) v ON true"
    " WHERE c.id = $1"
    " ORDER BY v.created_at DESC, v.id DESC"};

namespace {

// created_at defaults to whole_now(); the unique (class_id, user_id) key
// decides "one per user and class", also between concurrent requests (the
// second INSERT waits for the first to commit, then fails).
const statement create_sql{
    "reviews.create",
    "INSERT INTO reviews (class_id, user_id, rating, text)"
    " VALUES ($1, $2, $3, $4)"
    " RETURNING id, class_id, user_id, rating, text, created_at"};

// The class row says whether the class exists; no aggregate row yet reads
// as count 0, zeros, NULL average and computed_at.
const statement rating_sql{
    "ratings.get",
    "SELECT c.id AS class_id, a.average, coalesce(a.count, 0) AS count,"
    " coalesce(a.h1, 0) AS h1, coalesce(a.h2, 0) AS h2,"
    " coalesce(a.h3, 0) AS h3, coalesce(a.h4, 0) AS h4,"
    " coalesce(a.h5, 0) AS h5, a.computed_at"
    " FROM classes c LEFT JOIN rating_aggregates a ON a.class_id = c.id"
    " WHERE c.id = $1"};

// [class_id, user_id, rating, text] -> the review row: already_reviewed,
// not_found (no such class or user).
row_set create(pqxx::work& tx, const params& p) {
  try {
    return to_row_set(exec_statement(tx, create_sql, p.i64(0), p.i64(1),
                                     p.i64(2), p.text(3)));
  } catch (const pqxx::unique_violation&) {
    // reviews_class_user_key is the table's only unique key besides the
    // generated id.
    throw domain_error(failure::of(error_code::already_reviewed));
  } catch (const pqxx::foreign_key_violation&) {
    throw domain_error(failure::of(error_code::not_found, "No such class."));
  }
}

// [class_id, after_at|NULL, after_id|NULL, limit] -> no row (no such
// class), or up to limit + 1 reviews newest first (one NULL review when
// there are none). Without a cursor the key starts above every row.
row_set list(pqxx::work& tx, const params& p) {
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, reviews_list_page, p.i64(0),
                                   time_param_or(p, 1, open_high), after_id,
                                   page_limit(p, 3)));
}

// [class_id] -> the rating row, or no row.
row_set rating(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, rating_sql, p.i64(0)));
}

} // namespace

void add_review_operations(std::vector<operation>& out) {
  out.push_back({"reviews.create", create});
  out.push_back({"reviews.list", list, true});
  out.push_back({"ratings.get", rating, true});
}

} // namespace numina::storage
