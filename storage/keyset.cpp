#include "storage/keyset.hpp"

namespace numina::storage {

namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
constexpr int64_t first_storable = -62135596800;
constexpr int64_t last_storable = 253402300799;

} // namespace

int64_t page_limit(const params& p, size_t i) {
  const int64_t limit = p.i64(i);
  if (limit < 1 || limit > max_page_limit)
    throw domain_error(
        failure::invalid("limit", "limit must be between 1 and " +
                                      std::to_string(max_page_limit)));
  return limit;
}

std::string time_param(int64_t seconds) {
  if (seconds < first_storable)
    return open_low;
  if (seconds > last_storable)
    return open_high;
  return std::to_string(seconds);
}

std::string time_param_or(const params& p, size_t i, const char* open) {
  return p.is_null(i) ? std::string{open} : time_param(p.i64(i));
}

} // namespace numina::storage
