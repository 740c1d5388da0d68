// Training partners (api.md section 3, Matches): the users who booked the
// same classes as the caller, ranked by how many. The SQL lives in
// matches_ops.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct match_row {
  int64_t user_id = 0;
  std::string name;
  int64_t shared_classes = 0; // classes both booked; also the score
};

/// The caller's partners, best first: shared_classes descending, then user
/// id ascending; the caller is never one. Fetches limit + 1 rows.
///
/// The page key of this list is not a time: `after->at` carries the last
/// row's shared_classes and `after->id` its user id, so the next page holds
/// the rows that sort after (score, id) in that order.
db_call matches_of(int64_t user_id, const std::optional<page_key>& after,
                   int limit);

/// Splits limit + 1 rows into a page keyed by (shared_classes, user id).
page<match_row> decode_match_page(const row_set& rows, int limit);

} // namespace numina::storage
