// Calls and decoders of matches.hpp: parameter order here is the order the
// operation in matches_ops.cpp reads.
#include "storage/matches.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

db_call matches_of(int64_t user_id, const std::optional<page_key>& after,
                   int limit) {
  return {"matches.of",
          {cell::of(user_id), after ? cell::of(after->at) : cell::none(),
           after ? cell::of(after->id) : cell::none(),
           cell::of(int64_t{limit})}};
}

page<match_row> decode_match_page(const row_set& rows, int limit) {
  std::vector<match_row> items;
  if (!rows.empty()) {
    const size_t id = column(rows, "id");
    const size_t name = column(rows, "name");
    const size_t shared = column(rows, "shared_classes");
    items.reserve(rows.rows.size());
    for (const auto& r : rows.rows)
      items.push_back({as_i64(r[id]), r[name].text, as_i64(r[shared])});
  }
  // The key's `at` carries the score (matches.hpp).
  return split_page(std::move(items), limit, [](const match_row& m) {
    return page_key{m.shared_classes, m.user_id};
  });
}

} // namespace numina::storage
