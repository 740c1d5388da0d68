// BLAKE2b digests in lower-case hex: token hashes, request fingerprints,
// ETags.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace numina {

/// Hex of a BLAKE2b digest of `out_bytes` bytes (16..64).
std::string blake2b_hex(std::string_view bytes, size_t out_bytes = 32);

} // namespace numina
