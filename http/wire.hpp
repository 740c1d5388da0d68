// Internal to http/: a response's status line and header block as bytes.
// Written by hand into a buffer the connection reuses, because Beast's
// header container and serializer were the largest single cost of a cached
// read (docs/benchmarks.md, "Profile of the hot read").
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace numina::http {

struct head_fields {
  std::string_view date;       // IMF-fixdate
  std::string_view request_id; // X-Request-Id
  size_t content_length = 0;   // of the body a GET would get (also for HEAD)
  bool close = false;          // Connection: close
};

/// Appends "HTTP/1.1 <status> <reason>", Server, Date, Content-Type,
/// X-Request-Id, the response's own headers, Connection and Content-Length
/// (none for 1xx, 204 and 304, RFC 9110 section 8.6), and the blank line.
void append_head(std::string& out, const response& r, const head_fields& f);

} // namespace numina::http
