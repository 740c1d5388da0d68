#include "http/exchange.hpp"

#include <stdexcept>

namespace numina::http {

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
  respond_(std::move(r));
}

} // namespace numina::http
