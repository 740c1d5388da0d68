#include "http/services.hpp"

#include <stdexcept>

#include <sodium.h>

namespace numina::http {

namespace {

std::string hash_token(std::string_view token) {
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return out;
}

} // namespace

services::services(const config::settings& s, actors::gateway& g)
  : settings(s), gate(g) {
  // Idempotent and thread-safe; needed before any hash or random call.
  if (sodium_init() < 0)
    throw std::runtime_error("libsodium cannot be initialised");
  if (!s.admin.token.empty())
    admin_token_hash_ = hash_token(s.admin.token);
}

bool services::is_admin_token(std::string_view token) const {
  if (admin_token_hash_.empty() || token.empty())
    return false;
  // Hashing both sides gives equal lengths for sodium_memcmp.
  auto h = hash_token(token);
  return sodium_memcmp(h.data(), admin_token_hash_.data(), h.size()) == 0;
}

} // namespace numina::http
