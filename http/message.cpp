#include "http/message.hpp"

#include "core/json_writer.hpp"

namespace numina::http {

std::string_view request::header(std::string_view lower_name) const {
  for (auto& [name, value] : headers)
    if (name == lower_name)
      return value;
  return {};
}

bool request::has_header(std::string_view lower_name) const {
  for (auto& kv : headers)
    if (kv.first == lower_name)
      return true;
  return false;
}

response& response::set(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

response error_response(const failure& f) {
  json_writer w;
  w.begin_object().key("error").begin_object();
  w.field("code", name_of(f.code));
  w.field("message", f.message.empty() ? default_message(f.code) : f.message);
  if (!f.field.empty())
    w.field("field", f.field);
  w.end_object().end_object();
  response r;
  r.status = status_of(f.code);
  r.body = std::move(w).str();
  r.set("Cache-Control", "no-store");
  if (f.code == error_code::unavailable)
    r.set("Retry-After", "1");
  return r;
}

response json_response(std::string body, unsigned status) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

} // namespace numina::http
