// What handlers may use besides their request: the settings and the door
// into the actors. Built once in main().
#pragma once

#include <string>

#include "actors/gateway.hpp"
#include "config/settings.hpp"

namespace numina::http {

struct services {
  services(const config::settings& s, actors::gateway& g);

  const config::settings& settings;
  actors::gateway& gate;

  /// Constant-time check of a bearer token against the admin token; false
  /// whenever no admin token is configured.
  bool is_admin_token(std::string_view token) const;

private:
  std::string admin_token_hash_; // BLAKE2b of the configured token, or empty
};

} // namespace numina::http
