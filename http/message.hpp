// Numina's own request and response types: Beast stays inside
// http/server.cpp and http/session.cpp, everything else sees these.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/failure.hpp"
#include "core/time.hpp"

namespace numina::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
  std::string method; // upper case; HEAD is routed as GET with head = true
  bool head = false;
  std::string target; // as sent: path and query
  std::string path;
  std::string query;   // without '?'
  header_list headers; // names lower case
  std::string body;
  bool has_body = false; // a body was sent (Content-Length > 0 or chunked)
  std::string peer_ip;
  std::string request_id;

  /// The first header with that (lower-case) name, or empty.
  std::string_view header(std::string_view lower_name) const;
  bool has_header(std::string_view lower_name) const;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  header_list headers;
  std::string body;
  /// A body shared with the cache, sent instead of `body` when set: a hot
  /// read copies no bytes.
  std::shared_ptr<const std::string> shared_body;
  bool close = false; // close the connection after this response
  /// A GET answer's resource update time, for Last-Modified (0: none).
  unix_seconds last_modified = 0;

  response& set(std::string name, std::string value);
  /// The bytes to send: the shared body if any, else `body`.
  std::string_view payload() const noexcept {
    return shared_body ? std::string_view{*shared_body} : body;
  }
};

/// The contract's error body with `Cache-Control: no-store`.
response error_response(const failure& f);

/// A 200 JSON body.
response json_response(std::string body, unsigned status = 200);

} // namespace numina::http
