// Keyset pagination: a list is ordered by (time, id) and a page starts
// after the key of the previous page's last item. The HTTP layer turns the
// key into an opaque cursor (http/cursor.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/time.hpp"

namespace numina::storage {

struct page_key {
  unix_seconds at = 0; // the ordering time of the item
  int64_t id = 0;      // tie-breaker
};

/// Operations fetch limit + 1 rows: the extra row says there is a next page.
template <class T> struct page {
  std::vector<T> items;
  std::optional<page_key> next; // key of the last item, when more follow
};

} // namespace numina::storage
