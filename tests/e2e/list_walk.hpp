// Walking a list of the v1 API page by page (api.md section 1, Lists): what
// the messages and matches suites check about every list they page through.
// Header-only; standard library and api_support.hpp only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/api_support.hpp"

namespace numina::e2e {

/// What walking the pages of a list found.
struct list_walk {
  std::vector<json_value> items; // of every page, in order
  size_t pages = 0;
  std::string problems; // "" when every page was well-formed
};

/// Follows next_cursor from `path` (which may carry a query already) with
/// `limit` until it is null, at most 200 pages. Notes a page that does not
/// answer 200, a page other than the last that is not full, and a
/// next_cursor that is neither null nor a non-empty string. Cursors are
/// base64url, so they go into the query as they are.
inline list_walk walk_list(api_client& api, const std::string& path, int limit,
                           const std::string& token) {
  list_walk r;
  std::optional<std::string> cursor;
  const char sep = path.find('?') == std::string::npos ? '?' : '&';
  while (r.pages < 200) {
    std::string target = path + sep + "limit=" + std::to_string(limit);
    if (cursor)
      target += "&cursor=" + *cursor;
    auto res = api.get(target, token);
    ++r.pages;
    const auto page_no = "page " + std::to_string(r.pages);
    if (status_of(res) != 200) {
      r.problems +=
          page_no + ": status " + std::to_string(status_of(res)) + "; ";
      return r;
    }
    auto page = body_of(res);
    const auto& items = page["items"].items();
    r.items.insert(r.items.end(), items.begin(), items.end());
    const auto& next = page["next_cursor"];
    if (next.is_null())
      return r;
    if (!next.is_string() || next.text().empty())
      r.problems += page_no + ": next_cursor is " + next.dump() + "; ";
    if (items.size() != static_cast<size_t>(limit))
      r.problems += page_no + " has " + std::to_string(items.size()) +
                    " items but is not the last; ";
    cursor = next.text();
  }
  r.problems += "more than 200 pages; ";
  return r;
}

/// The integers at `key` of each item (e.g. "id"), in order.
inline std::vector<int64_t> ints_of(const std::vector<json_value>& items,
                                    const std::string& key) {
  std::vector<int64_t> out;
  for (const auto& item : items)
    out.push_back(item[key].integer());
  return out;
}

} // namespace numina::e2e
