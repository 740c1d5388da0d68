// A small blocking HTTP/1.1 client for tests, over a plain TCP socket to
// 127.0.0.1. It sends whatever bytes a test gives it (malformed requests,
// half a header section, a pipelined batch) and parses what comes back one
// response at a time; bytes that arrive beyond one response stay buffered
// for the next read_response(). Every wait has a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace numina::testing {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
  int status = 0;
  std::string reason;
  header_list headers; // as received, in order
  std::string body;

  /// The first header of that name, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class http_client {
public:
  using milliseconds = std::chrono::milliseconds;

  http_client() = default;
  /// Closes the connection.
  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Connects to 127.0.0.1:`port` (closing an earlier connection first).
  /// False when the connection is refused or does not complete in time;
  /// last_error() says why.
  bool connect(uint16_t port, milliseconds timeout = milliseconds{3000});

  bool connected() const noexcept { return fd_ >= 0; }

  void close();

  /// Sends the bytes as they are. False when the peer is gone or the bytes
  /// cannot be sent within `timeout`.
  bool send_raw(std::string_view bytes,
                milliseconds timeout = milliseconds{10000});

  /// Reads one response. `to_head`: it answers a HEAD request, so it has no
  /// body whatever its Content-Length says. Bodies are delimited by
  /// Content-Length, or by the end of the connection without one. Nullopt
  /// on timeout, a close before a whole response, or a response this
  /// client cannot parse; last_error() says which.
  std::optional<http_response>
  read_response(milliseconds timeout = milliseconds{5000},
                bool to_head = false);

  /// True when the peer closes the connection (a read returns 0 or
  /// ECONNRESET) within `timeout`. Bytes that arrive meanwhile are kept
  /// (see buffered()).
  bool closed_by_peer(milliseconds timeout);

  /// A well-formed request: the request line, `Host`, the given headers,
  /// and `Content-Length` when there is a body or the method is POST, PUT
  /// or PATCH. Nothing is added that the caller already set.
  static std::string format_request(std::string_view method,
                                    std::string_view path,
                                    const header_list& headers = {},
                                    std::string_view body = {});

  /// Sends format_request(...) and reads its response (a HEAD's without a
  /// body).
  std::optional<http_response>
  request(std::string_view method, std::string_view path,
          const header_list& headers = {}, std::string_view body = {},
          milliseconds timeout = milliseconds{5000});

  /// Received bytes not yet returned in a response.
  size_t buffered() const noexcept { return buffer_.size(); }

  /// Why the last operation failed.
  const std::string& last_error() const noexcept { return error_; }

private:
  // Waits for more bytes until `deadline`. 1: got some; 0: timed out;
  // -1: the peer closed or reset the connection.
  int receive_more(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool peer_closed_ = false;
  std::string buffer_;
  std::string error_;
};

} // namespace numina::testing
