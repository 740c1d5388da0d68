// Pure decoding of row_set cells into C++ values: used by the renderers on
// the request path, where libpqxx is not available.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "storage/db_call.hpp"

namespace numina::storage {

/// Column index by name; throws std::out_of_range for a missing column
/// (a programming error between an operation and its decoder).
size_t column(const row_set& rows, std::string_view name);

int64_t as_i64(const cell& c);
double as_double(const cell& c);
bool as_bool(const cell& c);
/// PostgreSQL's timestamptz text ("2026-11-23 07:00:00+00", with or
/// without fractions) in whole seconds.
unix_seconds as_time(const cell& c);
std::optional<unix_seconds> as_opt_time(const cell& c);

} // namespace numina::storage
