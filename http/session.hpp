// Internal to http/: one client connection. Reads a request (judging
// malformed HTTP, 431 and 413 itself), hands it to the pipeline, writes the
// answer, and only then reads the next: pipelined requests are answered in
// order because they wait in the read buffer.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/message.hpp"
#include "http/router.hpp"
#include "http/services.hpp"

namespace numina::http {

class session;

/// What every session shares: settings, routes, services, and the set of
/// open sessions (for the connection cap and the graceful stop).
struct session_hub {
  const config::settings& settings;
  const router& routes;
  services& svc;

  std::mutex mutex;
  std::unordered_map<session*, std::weak_ptr<session>> open;
  std::atomic<size_t> count{0};
  std::atomic<bool> stopping{false};
};

class session : public std::enable_shared_from_this<session> {
public:
  session(boost::asio::ip::tcp::socket socket, session_hub& hub);
  ~session();

  void start();
  /// Graceful stop: close now if idle, else after the current answer.
  void stop();
  /// Hard stop at the end of the grace period.
  void cut_off();

private:
  void await_request();
  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void refuse(boost::beast::error_code ec);
  void dispatch();
  void write(response r);
  void close_gracefully();
  void drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  session_hub& hub_;
  std::string peer_ip_;
  std::string request_id_; // of the request in flight
  bool head_ = false;
  bool keep_alive_ = true;
  bool in_flight_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  std::unique_ptr<std::array<char, 4096>> scratch_; // drained on close
  response answer_;                                 // being written
  std::string answer_head_; // its status line and headers
};

/// X-Request-Id: the client's when it is 1..128 printable characters, else
/// a fresh one.
std::string choose_request_id(std::string_view sent);

} // namespace numina::http
