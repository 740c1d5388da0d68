#include "http/server.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/log.hpp"
#include "http/session.hpp"

namespace numina::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct server::impl {
  explicit impl(const config::settings& s)
    : settings(s), ioc(static_cast<int>(s.http.threads)), acceptor(ioc),
      guard(net::make_work_guard(ioc)), signals(ioc, SIGINT, SIGTERM),
      shutdown_timer(ioc) {}

  void accept() {
    acceptor.async_accept(
        net::make_strand(ioc),
        [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == net::error::operation_aborted || !acceptor.is_open())
            return;
          if (!ec) {
            if (hub->count >= settings.http.max_connections) {
              boost::system::error_code ignored;
              socket.close(ignored); // over the cap: refuse at once
            } else {
              socket.set_option(tcp::no_delay(true), ec);
              std::make_shared<session>(std::move(socket), *hub)->start();
            }
          }
          accept();
        });
  }

  std::vector<std::shared_ptr<session>> open_sessions() {
    std::vector<std::shared_ptr<session>> out;
    std::lock_guard<std::mutex> g{hub->mutex};
    for (auto& kv : hub->open)
      if (auto s = kv.second.lock())
        out.push_back(std::move(s));
    return out;
  }

  // Step 1 of the shutdown order (caf-0.17.md section 14): stop accepting,
  // let in-flight requests finish, then stop the threads.
  void begin_shutdown() {
    log_info("http", "stopping: no new connections");
    hub->stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    for (auto& s : open_sessions())
      s->stop();
    deadline = std::chrono::steady_clock::now() + settings.http.shutdown_grace;
    wait_for_sessions();
  }

  void wait_for_sessions() {
    if (hub->count == 0) {
      finish();
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      log_warn("http", "grace period over: cutting off " +
                           std::to_string(hub->count.load()) + " connections");
      for (auto& s : open_sessions())
        s->cut_off();
      deadline = std::chrono::steady_clock::time_point::max();
    }
    shutdown_timer.expires_after(std::chrono::milliseconds(20));
    shutdown_timer.async_wait(
        [this](boost::system::error_code) { wait_for_sessions(); });
  }

  void finish() {
    guard.reset();
    ioc.stop();
  }

  const config::settings& settings;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::executor_work_guard<net::io_context::executor_type> guard;
  net::signal_set signals;
  net::steady_timer shutdown_timer;
  std::chrono::steady_clock::time_point deadline;
  std::unique_ptr<session_hub> hub;
};

server::server(const config::settings& settings)
  : impl_(std::make_unique<impl>(settings)) {}

server::~server() = default;

uint16_t server::listen() {
  auto& a = impl_->acceptor;
  boost::system::error_code ec;
  auto address = net::ip::make_address(impl_->settings.http.address, ec);
  if (ec)
    throw std::runtime_error("http.address: not an IP address: " +
                             impl_->settings.http.address);
  tcp::endpoint ep{address, impl_->settings.http.port};
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep, ec);
  if (ec)
    throw std::runtime_error("cannot bind " + impl_->settings.http.address +
                             ":" + std::to_string(ep.port()) + ": " +
                             ec.message());
  a.listen(net::socket_base::max_listen_connections);
  return a.local_endpoint().port();
}

void server::run(const router& routes, services& svc,
                 const std::function<void()>& on_ready) {
  auto& d = *impl_;
  d.hub.reset(new session_hub{d.settings, routes, svc, {}, {}, {}, {}});
  d.signals.async_wait([&d](boost::system::error_code ec, int) {
    if (!ec)
      d.begin_shutdown();
  });
  d.accept();
  if (on_ready)
    on_ready();
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < d.settings.http.threads; ++i)
    threads.emplace_back([&d] { d.ioc.run(); });
  d.ioc.run();
  for (auto& t : threads)
    t.join();
}

} // namespace numina::http
