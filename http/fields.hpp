// `?fields=a,b,c`: only those top-level fields of an object (of each item,
// for lists). An unknown name is a validation failure naming `fields`.
#pragma once

#include <cstdint>

#include <string_view>
#include <vector>

#include "core/failure.hpp"
#include "http/message.hpp"

namespace numina::http {

class field_selection {
public:
  /// Everything: no `fields` parameter.
  field_selection() = default;

  /// Reads `fields` from the query; `known` lists the resource's fields.
  static outcome<field_selection>
  parse(const request& req, const std::vector<std::string_view>& known);

  bool wants(std::string_view name) const;

private:
  bool all_ = true;
  std::vector<std::string> chosen_;
};

} // namespace numina::http
