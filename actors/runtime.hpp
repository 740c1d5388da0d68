// The actor side of a Numina node: the CAF actor system and the long-lived
// actors (DB-pool supervisor, ...), started from the settings and stopped
// in the order caf-0.17.md section 14 gives. No CAF in this header.
#pragma once

#include <memory>

#include "actors/gateway.hpp"
#include "config/settings.hpp"

namespace numina::actors {

class runtime {
public:
  explicit runtime(const config::settings& settings);
  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  gateway& gate();

  /// Stops every actor and waits for them; idempotent.
  void shutdown();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace numina::actors
