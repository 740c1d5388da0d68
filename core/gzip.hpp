// gzip (RFC 1952) in one call, for `Content-Encoding: gzip` answers.
#pragma once

#include <string>
#include <string_view>

namespace numina {

/// Compresses `in` with the gzip wrapper. One z_stream per thread is kept
/// and reset between calls: a fresh one costs ~80 us (it allocates 256 KiB).
std::string gzip(std::string_view in, int level = 6);

/// Decompresses gzip data (tests and tools); empty on malformed input.
std::string gunzip(std::string_view in);

} // namespace numina
