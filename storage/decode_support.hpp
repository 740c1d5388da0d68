// Internal to storage/: what the pure decoders of users.cpp, classes.cpp and
// idempotency.cpp share. No libpqxx here: the decoders run on the request
// path.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

/// Column index by name, or nothing: for columns only some operations
/// return (a profile's counts, a booking's class).
std::optional<size_t> find_column(const row_set& rows, std::string_view name);

/// Turns the limit + 1 items an operation fetched into a page: the extra
/// item only says that more follow; the next page starts after the key of
/// the last item kept.
template <class T, class KeyOf>
page<T> split_page(std::vector<T> items, int limit, KeyOf key_of) {
  page<T> out;
  const auto keep = static_cast<size_t>(limit < 0 ? 0 : limit);
  if (items.size() > keep) {
    items.resize(keep);
    if (!items.empty())
      out.next = key_of(items.back());
  }
  out.items = std::move(items);
  return out;
}

} // namespace numina::storage
