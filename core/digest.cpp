#include "core/digest.hpp"

#include <sodium.h>

namespace numina {

std::string blake2b_hex(std::string_view bytes, size_t out_bytes) {
  unsigned char h[crypto_generichash_BYTES_MAX];
  crypto_generichash(h, out_bytes,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES_MAX * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, out_bytes);
  return hex;
}

} // namespace numina
