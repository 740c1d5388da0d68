// The list conventions of api.md section 1: `limit` (1..100, a default per
// resource) and `cursor`, and the `{"items":[...],"next_cursor":...}` shape.
#pragma once

#include <optional>

#include "core/failure.hpp"
#include "http/message.hpp"
#include "storage/page.hpp"

namespace numina::http {

struct list_params {
  int limit = 25;
  std::optional<storage::page_key> after;
};

/// Defaults: 10 for classes, feed, reviews, messages, notifications; 25
/// elsewhere (the caller passes its default).
outcome<list_params> parse_list_params(const request& req, int default_limit);

} // namespace numina::http
