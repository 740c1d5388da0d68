#include "http/wire.hpp"

#include <charconv>
#include <ostream> // boost/core/detail/string_view.hpp needs it and does not include it

#include <boost/beast/http/status.hpp>

namespace numina::http {

namespace {

void append_number(std::string& out, size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

void append_field(std::string& out, std::string_view name,
                  std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

bool has_no_body(unsigned status) {
  return status < 200 || status == 204 || status == 304;
}

} // namespace

void append_head(std::string& out, const response& r, const head_fields& f) {
  out.append("HTTP/1.1 ");
  append_number(out, r.status);
  out.push_back(' ');
  out.append(boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(r.status)));
  out.append("\r\n");
  append_field(out, "Server", "numina");
  append_field(out, "Date", f.date);
  if (!r.content_type.empty())
    append_field(out, "Content-Type", r.content_type);
  append_field(out, "X-Request-Id", f.request_id);
  for (auto& [name, value] : r.headers)
    append_field(out, name, value);
  if (f.close)
    append_field(out, "Connection", "close");
  if (!has_no_body(r.status)) {
    out.append("Content-Length: ");
    append_number(out, f.content_length);
    out.append("\r\n");
  }
  out.append("\r\n");
}

} // namespace numina::http
