#include "http/list_params.hpp"

#include "http/cursor.hpp"
#include "http/pipeline.hpp"
#include "http/query.hpp"

namespace numina::http {

outcome<list_params> parse_list_params(const request& req, int default_limit) {
  list_params out;
  out.limit = default_limit;
  auto limit = query_param(req.query, "limit");
  if (!limit)
    return limit.error();
  if (limit.value()) {
    auto n = parse_id(*limit.value());
    if (!n || *n > 100)
      return failure::invalid("limit", "limit must be an integer in 1..100");
    out.limit = static_cast<int>(*n);
  }
  auto cursor = query_param(req.query, "cursor");
  if (!cursor)
    return cursor.error();
  if (cursor.value()) {
    out.after = decode_cursor(*cursor.value());
    if (!out.after)
      return failure::invalid("cursor", "cursor is malformed");
  }
  return out;
}

} // namespace numina::http
