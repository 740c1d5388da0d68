// numina: load the settings, start the HTTP edge and the actors, serve until
// SIGINT/SIGTERM, stop in order. Exit codes: 0 after a clean stop, 1 when
// the service cannot start, 2 for bad configuration.
#include <exception>
#include <iostream>

#include "actors/runtime.hpp"
#include "config/loader.hpp"
#include "core/log.hpp"
#include "http/client_ip.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "http/services.hpp"

int main(int argc, char** argv, char** envp) {
  using namespace numina;
  auto loaded = config::load(argc, argv, envp);
  if (loaded.error) {
    auto& e = *loaded.error;
    std::cerr << "numina: bad configuration: " << e.key << " " << e.message
              << " (from " << e.source << ")\n";
    return 2;
  }
  if (loaded.ok->help) {
    std::cout << config::usage();
    return 0;
  }
  const config::settings& settings = loaded.ok->values;
  for (auto& entry : settings.http.trusted_proxies) {
    if (!http::valid_proxy_entry(entry)) {
      std::cerr << "numina: bad configuration: http.trusted_proxies has \""
                << entry << "\", which is no IP address or CIDR range\n";
      return 2;
    }
  }
  if (loaded.ok->print_config) {
    std::cout << config::render(settings);
    return 0;
  }
  if (settings.database.url.empty())
    log_warn("main", "no database.url configured: /health/ready stays 503");
  if (settings.admin.token.empty())
    log_warn("main", "no admin.token configured: /admin answers 401");
  try {
    // The server first: its io_context must outlive every actor that may
    // still post a completion into it.
    http::server server{settings};
    const auto port = server.listen();
    actors::runtime runtime{settings};
    http::services services{settings, runtime.gate()};
    const auto routes = http::make_router();
    server.run(routes, services, [&] {
      std::cout << "numina listening on http://" << settings.http.address << ":"
                << port << std::endl;
    });
    runtime.shutdown();
    log_info("main", "stopped");
    return 0;
  } catch (const std::exception& e) {
    log_error("main", e.what());
    return 1;
  }
}
