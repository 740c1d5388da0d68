// A blocking HTTP/1.1 test client: see http_client.hpp.
#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace numina::testing {

namespace {

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool has(const header_list& headers, std::string_view name) {
  for (auto& h : headers)
    if (iequals(h.first, name))
      return true;
  return false;
}

std::optional<uint64_t> parse_length(std::string_view text) {
  if (text.empty() || text.size() > 18)
    return std::nullopt;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

} // namespace

std::optional<std::string> http_response::header(std::string_view name) const {
  for (auto& h : headers)
    if (iequals(h.first, name))
      return h.second;
  return std::nullopt;
}

bool http_response::has_header(std::string_view name) const {
  return has(headers, name);
}

http_client::~http_client() {
  close();
}

void http_client::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  peer_closed_ = false;
  buffer_.clear();
}

bool http_client::connect(uint16_t port, milliseconds timeout) {
  close();
  error_.clear();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    error_ = std::string{"socket: "} + std::strerror(errno);
    return false;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc =
      ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd_, POLLOUT, 0};
    rc = poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) {
      error_ = "connect timed out";
      close();
      return false;
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    errno = err;
    rc = err == 0 ? 0 : -1;
  }
  if (rc != 0) {
    error_ = std::string{"connect: "} + std::strerror(errno);
    close();
    return false;
  }
  return true;
}

bool http_client::send_raw(std::string_view bytes, milliseconds timeout) {
  if (fd_ < 0) {
    error_ = "not connected";
    return false;
  }
  const auto deadline = clock_type::now() + timeout;
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      const int left = remaining_ms(deadline);
      if (left == 0 || poll(&p, 1, left) == 0) {
        error_ = "send timed out with " + std::to_string(bytes.size()) +
                 " bytes unsent";
        return false;
      }
      continue;
    }
    error_ = std::string{"send: "} + std::strerror(errno);
    return false;
  }
  return true;
}

int http_client::receive_more(clock_type::time_point deadline) {
  if (fd_ < 0 || peer_closed_)
    return -1;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0)
      return 0;
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
      continue;
    // 0: an orderly close; ECONNRESET and the like: a reset. Either way the
    // peer is gone.
    peer_closed_ = true;
    return -1;
  }
}

std::optional<http_response> http_client::read_response(milliseconds timeout,
                                                        bool to_head) {
  error_.clear();
  const auto deadline = clock_type::now() + timeout;
  size_t header_end = 0;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const int got = receive_more(deadline);
    if (got == 0) {
      error_ = "timed out waiting for a response header section (" +
               std::to_string(buffer_.size()) + " bytes buffered)";
      return std::nullopt;
    }
    if (got < 0) {
      error_ = "the connection closed before a whole response header "
               "section (" +
               std::to_string(buffer_.size()) + " bytes buffered)";
      return std::nullopt;
    }
  }
  http_response res;
  std::string_view head{buffer_.data(), header_end};
  auto eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // HTTP/1.1 200 OK
  if (status_line.size() < 12 || status_line.rfind("HTTP/1.", 0) != 0 ||
      status_line[8] != ' ') {
    error_ = "malformed status line: " + std::string{status_line};
    return std::nullopt;
  }
  auto code = parse_length(status_line.substr(9, 3));
  if (!code || (status_line.size() > 12 && status_line[12] != ' ')) {
    error_ = "malformed status line: " + std::string{status_line};
    return std::nullopt;
  }
  res.status = static_cast<int>(*code);
  if (status_line.size() > 13)
    res.reason = std::string{status_line.substr(13)};
  while (eol != std::string_view::npos) {
    const size_t start = eol + 2;
    eol = head.find("\r\n", start);
    auto line = head.substr(start, eol == std::string_view::npos ? head.npos
                                                                 : eol - start);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error_ = "malformed header line: " + std::string{line};
      return std::nullopt;
    }
    res.headers.emplace_back(std::string{line.substr(0, colon)},
                             std::string{trim(line.substr(colon + 1))});
  }
  const size_t body_start = header_end + 4;
  const bool no_body = to_head || res.status / 100 == 1 || res.status == 204 ||
                       res.status == 304;
  if (!no_body && res.has_header("transfer-encoding")) {
    error_ = "chunked responses are not supported by this test client";
    return std::nullopt;
  }
  std::optional<uint64_t> length = uint64_t{0};
  if (!no_body) {
    auto cl = res.header("content-length");
    length = cl ? parse_length(*cl) : std::nullopt;
    if (cl && !length) {
      error_ = "malformed Content-Length: " + *cl;
      return std::nullopt;
    }
  }
  if (length) {
    while (buffer_.size() - body_start < *length) {
      const int got = receive_more(deadline);
      if (got <= 0) {
        error_ = std::string{got == 0 ? "timed out" : "the connection closed"} +
                 " after " + std::to_string(buffer_.size() - body_start) +
                 " of " + std::to_string(*length) + " body bytes";
        return std::nullopt;
      }
    }
  } else {
    // No length: the body ends with the connection.
    for (int got = 1; got > 0;)
      got = receive_more(deadline);
    if (!peer_closed_) {
      error_ = "timed out waiting for the end of a body without a length";
      return std::nullopt;
    }
    length = buffer_.size() - body_start;
  }
  res.body = buffer_.substr(body_start, *length);
  buffer_.erase(0, body_start + *length);
  return res;
}

bool http_client::closed_by_peer(milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    const int got = receive_more(deadline);
    if (got < 0)
      return true;
    if (got == 0)
      return false;
  }
}

std::string http_client::format_request(std::string_view method,
                                        std::string_view path,
                                        const header_list& headers,
                                        std::string_view body) {
  std::string out;
  out.reserve(128 + body.size());
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
  if (!has(headers, "host"))
    out += "Host: 127.0.0.1\r\n";
  for (auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  const bool needs_length =
      !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (needs_length && !has(headers, "content-length") &&
      !has(headers, "transfer-encoding"))
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out.append(body);
  return out;
}

std::optional<http_response> http_client::request(std::string_view method,
                                                  std::string_view path,
                                                  const header_list& headers,
                                                  std::string_view body,
                                                  milliseconds timeout) {
  if (!send_raw(format_request(method, path, headers, body), timeout))
    return std::nullopt;
  return read_response(timeout, method == "HEAD");
}

} // namespace numina::testing
