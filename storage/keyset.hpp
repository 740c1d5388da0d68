// Internal to storage/: how list operations bind page keys, time bounds and
// limits. A time travels as unix seconds and enters SQL as
// `to_timestamp($n::float8)`, whose float8 text also accepts "-infinity"
// and "infinity": an absent bound or cursor becomes an open end, so each
// list is one statement whose conditions the index can always use.
#pragma once

#include <cstdint>
#include <string>

#include "storage/operation.hpp"

namespace numina::storage {

/// The largest page a list operation serves (the API's maximum is 100).
constexpr int64_t max_page_limit = 100;

inline constexpr const char* open_low = "-infinity";
inline constexpr const char* open_high = "infinity";

/// The limit parameter at `i`. Outside 1..max_page_limit: validation_failed
/// (field `limit`), never a query that returns everything.
int64_t page_limit(const params& p, size_t i);

/// Seconds as the text of a float8 parameter. A time outside the years
/// 1..9999 (which the API cannot store) becomes -infinity or infinity:
/// it orders the same against every stored row, where PostgreSQL would
/// refuse the value (a forged cursor must not cause a 500).
std::string time_param(int64_t seconds);

/// The time parameter at `i`, or `open` when it is NULL.
std::string time_param_or(const params& p, size_t i, const char* open);

} // namespace numina::storage
