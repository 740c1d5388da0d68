// UTF-8 helpers for validation: the contract counts string lengths in code
// points, and simdjson has already rejected invalid UTF-8 in JSON bodies.
#pragma once

#include <cstddef>
#include <string_view>

namespace numina {

/// Number of code points in valid UTF-8 (bytes that are not 10xxxxxx).
inline size_t code_points(std::string_view s) noexcept {
  size_t n = 0;
  for (char c : s)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

/// Whether every byte is printable ASCII (0x20..0x7E), as the contract asks
/// of request ids and idempotency keys.
inline bool printable_ascii(std::string_view s) noexcept {
  for (char c : s)
    if (c < 0x20 || c > 0x7E)
      return false;
  return true;
}

} // namespace numina
