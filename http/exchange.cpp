#include "http/exchange.hpp"

#include <stdexcept>

#include "http/conditional.hpp"

namespace numina::http {

namespace {

bool has_etag(const response& r) {
  for (auto& h : r.headers)
    if (h.first == "ETag")
      return true;
  return false;
}

} // namespace

int64_t exchange::id(std::string_view name) const {
  for (auto& [key, value] : params)
    if (key == name)
      return std::stoll(value); // validated by the pipeline
  throw std::logic_error("no path parameter " + std::string{name});
}

void exchange::respond(response r) {
  if (answered_)
    return;
  answered_ = true;
  if (finish_get && !has_etag(r))
    http::finish_get(req, r);
  respond_(std::move(r));
}

} // namespace numina::http
