#include "actors/error_convert.hpp"

#include "caf/atom.hpp"
#include "caf/make_message.hpp"
#include "caf/message.hpp"
#include "caf/sec.hpp"

namespace numina::actors {

namespace {
constexpr auto numina_category = caf::atom("numina");
}

caf::error to_error(const failure& f) {
  return caf::error{static_cast<uint8_t>(f.code), numina_category,
                    caf::make_message(f.field, f.message)};
}

failure to_failure(const caf::error& err) {
  if (err.category() == numina_category) {
    failure f;
    f.code = static_cast<error_code>(err.code());
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string, std::string>()) {
      f.field = ctx.get_as<std::string>(0);
      f.message = ctx.get_as<std::string>(1);
    }
    return f;
  }
  if (err == caf::sec::request_timeout)
    return failure::of(error_code::unavailable, "the request timed out");
  if (err == caf::sec::request_receiver_down)
    return failure::of(error_code::unavailable,
                       "a backend actor is restarting");
  return failure::of(error_code::internal);
}

} // namespace numina::actors
