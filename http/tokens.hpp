// Bearer tokens: 32 random bytes, URL-safe base64 (43 characters). Only
// their BLAKE2b-256 hash is stored, so a leaked table leaks no live token.
#pragma once

#include <string>
#include <string_view>

namespace numina::http {

std::string new_token();

/// Lower-case hex BLAKE2b-256 of the token, as the sessions table keeps it.
std::string token_hash(std::string_view token);

/// Lower-case hex BLAKE2b-256 of any bytes (request fingerprints).
std::string hex_digest(std::string_view bytes);

} // namespace numina::http
