#include "http/session.hpp"

#include <array>
#include <cctype>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "core/time.hpp"
#include "core/utf8.hpp"
#include "http/pipeline.hpp"
#include "http/wire.hpp"

namespace numina::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

// RFC 9110 wants a Date on every answer; formatting it once a second per
// thread keeps it off the hot path.
const std::string& current_http_date() {
  thread_local unix_seconds formatted_at = -1;
  thread_local std::string text;
  auto now = now_seconds();
  if (now != formatted_at) {
    text = format_http_date(now);
    formatted_at = now;
  }
  return text;
}

} // namespace

std::string choose_request_id(std::string_view sent) {
  if (!sent.empty() && sent.size() <= 128 && printable_ascii(sent))
    return std::string{sent};
  // A random 64-bit prefix per thread plus a counter: unique without a
  // system call per request.
  thread_local uint64_t base = std::random_device{}() * 0x9E3779B97F4A7C15ull;
  thread_local uint64_t counter = 0;
  uint64_t v = base + ++counter;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    out[static_cast<size_t>(i)] = hex[v & 0xf];
  return out;
}

session::session(net::ip::tcp::socket socket, session_hub& hub)
  : stream_(std::move(socket)), hub_(hub) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec)
    peer_ip_ = ep.address().to_string();
  ++hub_.count;
}

session::~session() {
  std::lock_guard<std::mutex> guard{hub_.mutex};
  hub_.open.erase(this);
  --hub_.count;
}

void session::start() {
  {
    std::lock_guard<std::mutex> guard{hub_.mutex};
    hub_.open.emplace(this, weak_from_this());
  }
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this()] { self->await_request(); });
}

void session::stop() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (!self->in_flight_)
      self->stream_.cancel(); // the pending read ends; we close there
  });
}

void session::cut_off() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closed_ = true;
    beast::error_code ec;
    self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->stream_.close();
  });
}

void session::await_request() {
  if (stopping_ || hub_.stopping) {
    close_gracefully();
    return;
  }
  parser_.emplace();
  parser_->header_limit(
      static_cast<std::uint32_t>(hub_.settings.http.header_limit));
  parser_->body_limit(hub_.settings.http.body_limit);
  if (buffer_.size() > 0) { // a pipelined request is already here
    read_header();
    return;
  }
  // Keep-alive: wait for the first byte of the next request under the idle
  // timeout; the header timeout starts with that byte.
  stream_.expires_after(hub_.settings.http.idle_timeout);
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec) {
          self->close_gracefully();
          return;
        }
        self->buffer_.commit(n);
        self->read_header();
      });
}

void session::read_header() {
  // From its first byte on, a request is in flight: a graceful stop lets it
  // finish.
  in_flight_ = true;
  stream_.expires_after(hub_.settings.http.header_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        self->on_header(ec);
      });
}

void session::on_header(beast::error_code ec) {
  if (ec) {
    refuse(ec);
    return;
  }
  if (parser_->is_done()) {
    dispatch();
    return;
  }
  // The body gets the idle timeout: a client may send a large body slowly,
  // but not stall.
  stream_.expires_after(hub_.settings.http.idle_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->on_body(ec);
                    });
}

void session::on_body(beast::error_code ec) {
  if (ec) {
    refuse(ec);
    return;
  }
  dispatch();
}

// A request that cannot be read whole: answer what the contract says, then
// close, since the rest of the stream cannot be trusted.
void session::refuse(beast::error_code ec) {
  const bool parse_error =
      ec.category() ==
      bhttp::make_error_code(bhttp::error::bad_target).category();
  // Timeouts, closes and network errors: nobody is left to answer.
  if (!parse_error || ec == bhttp::error::end_of_stream ||
      ec == bhttp::error::partial_message) {
    close_gracefully();
    return;
  }
  request_id_ = choose_request_id({});
  head_ = false;
  keep_alive_ = false;
  if (ec == bhttp::error::header_limit)
    write(error_response(failure::of(error_code::headers_too_large)));
  else if (ec == bhttp::error::body_limit)
    write(error_response(failure::of(error_code::payload_too_large)));
  else
    write(error_response(failure::of(error_code::bad_request,
                                     "The request is not valid HTTP/1.1.")));
}

void session::dispatch() {
  auto& msg = parser_->get();
  request req;
  req.method = std::string{msg.method_string()};
  if (req.method == "HEAD") {
    req.method = "GET";
    req.head = true;
  }
  req.target = std::string{msg.target()};
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos)
    req.query = req.target.substr(q + 1);
  req.headers.reserve(8);
  for (auto& field : msg) {
    std::string name{field.name_string()};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string{field.value()});
  }
  req.has_body = msg.chunked() || (msg.has_content_length() &&
                                   parser_->content_length().value_or(0) > 0);
  req.body = std::move(msg.body());
  req.peer_ip = peer_ip_;
  req.request_id = choose_request_id(req.header("x-request-id"));
  request_id_ = req.request_id;
  head_ = req.head;
  keep_alive_ = msg.keep_alive();
  stream_.expires_never(); // the actors bound the wait for an answer
  auto self = shared_from_this();
  auto ex = std::make_shared<exchange>(
      std::move(req), hub_.svc,
      [self](std::function<void()> f) {
        net::post(self->stream_.get_executor(), std::move(f));
      },
      [self](response r) { self->write(std::move(r)); });
  run_pipeline(hub_.routes, ex);
}

void session::write(response r) {
  if (closed_)
    return;
  const bool close = r.close || !keep_alive_ || stopping_ || hub_.stopping;
  // Kept in the session until the write completes: the buffers point into
  // it, and the head's capacity is reused by the next answer.
  answer_ = std::move(r);
  const auto payload = answer_.payload();
  answer_head_.clear();
  append_head(
      answer_head_, answer_,
      head_fields{current_http_date(), request_id_, payload.size(), close});
  const std::array<net::const_buffer, 2> buffers{
      net::buffer(answer_head_),
      head_ ? net::const_buffer{}
            : net::buffer(payload.data(), payload.size())};
  stream_.expires_after(hub_.settings.http.idle_timeout);
  net::async_write(
      stream_, buffers,
      [self = shared_from_this(), close](beast::error_code ec, size_t) {
        self->in_flight_ = false;
        self->answer_ = response{};
        if (ec) {
          self->closed_ = true;
          self->stream_.close();
          return;
        }
        if (close) {
          self->close_gracefully();
          return;
        }
        self->await_request();
      });
}

// Half-close, then drain what the client still sends for a moment: closing
// with unread data would reset the connection and could destroy the answer
// before the client reads it (a refused large body, say).
void session::close_gracefully() {
  if (closed_)
    return;
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(std::chrono::seconds(2));
  drain();
}

void session::drain() {
  if (!scratch_)
    scratch_ = std::make_unique<std::array<char, 4096>>();
  stream_.async_read_some(
      net::buffer(*scratch_),
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) {
          self->stream_.close();
          return;
        }
        self->drain();
      });
}

} // namespace numina::http
