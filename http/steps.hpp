// Internal to http/: the asynchronous steps of the pipeline. Each one either
// answers the request itself or calls `next` (on the connection's executor).
#pragma once

#include "http/exchange.hpp"
#include "http/router.hpp"

namespace numina::http {

using next_step = void (*)(const route&, const exchange_ptr&);

/// Resolves the bearer token to a user (401 when missing, unknown or
/// revoked; 503 when the database cannot say).
void authenticate_user(const route& r, const exchange_ptr& ex, next_step next);

/// For a POST with an Idempotency-Key: replays a stored answer, refuses a
/// key reused with another body (422) or still running (409), or claims the
/// key and stores the handler's answer before it is sent.
void apply_idempotency(const route& r, const exchange_ptr& ex, next_step next);

/// Counts the request against its route's rate-limit policy (keyed by user,
/// or client IP when anonymous or for the auth policy): 429 with
/// Retry-After when over; otherwise RateLimit-* headers on whatever answer
/// follows. Routes without a policy, or limiting switched off, pass as is.
void check_rate_limit(const route& r, const exchange_ptr& ex, next_step next);

} // namespace numina::http
