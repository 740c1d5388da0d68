// Training partners (matches.hpp: matches_of): who else booked the classes
// the caller booked, and how many of them.
#include <limits>

#include "storage/keyset.hpp"
#include "storage/matches.hpp"
#include "storage/message_statements.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

// One query for a whole page, names included (no query per partner). The
// caller's bookings come from bookings_user_starts_at_idx (led by
// user_id); for each of their classes, the other bookers come from
// bookings_class_user_key (class_id, user_id), which holds everything the
// count needs. Only the page's rows are joined to users, after the cut.
//
// The order is (shared_classes DESC, user_id ASC), which one row
// comparison cannot express; the HAVING keeps what sorts after the page
// key ($2 score, $3 user id). Without a cursor $2 is the largest bigint and
// $3 is 0, which keeps every row. The count is computed whole before the
// cut: its cost grows with the caller's bookings times the bookers of
// those classes, which is why the HTTP layer caches the answer.
const statement matches_list{
    "matches.of", "SELECT p.user_id AS id, u.name, p.shared_classes"
                  " FROM (SELECT o.user_id, count(*) AS shared_classes"
                  "         FROM bookings mine"
                  "         JOIN bookings o ON o.class_id = mine.class_id"
                  "        WHERE mine.user_id = $1 AND o.user_id <> $1"
                  "        GROUP BY o.user_id"
                  "       HAVING count(*) < $2::bigint"
                  "           OR (count(*) = $2::bigint AND o.user_id > $3)"
                  "        ORDER BY shared_classes DESC, o.user_id"
                  "        LIMIT $4::int + 1) p"
                  " JOIN users u ON u.id = p.user_id"
                  " ORDER BY p.shared_classes DESC, p.user_id"};

namespace {

// [user_id, after_score|NULL, after_id|NULL, limit] -> up to limit + 1
// rows of id, name, shared_classes; best first.
row_set of(pqxx::work& tx, const params& p) {
  const int64_t limit = page_limit(p, 3);
  const int64_t after_score =
      p.is_null(1) ? std::numeric_limits<int64_t>::max() : p.i64(1);
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(
      exec_statement(tx, matches_list, p.i64(0), after_score, after_id, limit));
}

} // namespace

void add_match_operations(std::vector<operation>& out) {
  out.push_back({"matches.of", of, true});
}

} // namespace numina::storage
