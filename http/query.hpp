// Query strings: `a=1&b=x%20y`. Values are percent-decoded; `+` is a space.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/failure.hpp"

namespace numina::http {

/// The first value of `name`, decoded; nothing when absent. A malformed
/// percent escape is a validation failure naming the parameter.
outcome<std::optional<std::string>> query_param(std::string_view query,
                                                std::string_view name);

/// Decodes %XX escapes and '+'; nothing for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

} // namespace numina::http
