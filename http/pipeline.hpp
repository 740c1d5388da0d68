// The order in which a request is judged (api.md section 5): route (404,
// 405), authentication (401), rate limit (429), content type (415), then
// validation (400) and the handler. Malformed HTTP, 431 and 413 are judged
// earlier, by the connection.
#pragma once

#include "http/exchange.hpp"
#include "http/router.hpp"

namespace numina::http {

void run_pipeline(const router& routes, const exchange_ptr& ex);

/// Parses a path id: a positive 64-bit integer in plain decimal digits.
std::optional<int64_t> parse_id(std::string_view text);

/// The token of an `Authorization: Bearer <token>` header, or empty.
std::string_view bearer_token(const request& req);

} // namespace numina::http
