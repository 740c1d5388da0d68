// The HTTP/1.1 server on Boost.Beast. Constructed before the actor runtime
// (its io_context must outlive every actor that may post into it), run with
// the route table once the runtime is up. No Beast or Asio in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "config/settings.hpp"
#include "http/router.hpp"
#include "http/services.hpp"

namespace numina::http {

class server {
public:
  explicit server(const config::settings& settings);
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens; returns the bound port (useful with port 0).
  /// Throws std::runtime_error when the address cannot be bound.
  uint16_t listen();

  /// Serves until SIGINT or SIGTERM, then stops gracefully: no new
  /// connections, idle ones closed, in-flight requests answered (with
  /// `Connection: close`) within http.shutdown_grace, the rest cut off.
  /// `on_ready` runs once the threads serve.
  void run(const router& routes, services& svc,
           const std::function<void()>& on_ready = {});

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace numina::http
