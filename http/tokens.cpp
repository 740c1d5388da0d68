#include "http/tokens.hpp"

#include <sodium.h>

#include "core/digest.hpp"

namespace numina::http {

std::string new_token() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char b64[sodium_base64_ENCODED_LEN(sizeof raw,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return b64;
}

std::string hex_digest(std::string_view bytes) {
  return blake2b_hex(bytes);
}

std::string token_hash(std::string_view token) {
  return hex_digest(token);
}

} // namespace numina::http
