#include "http/fields.hpp"

#include <algorithm>

#include "http/query.hpp"

namespace numina::http {

outcome<field_selection>
field_selection::parse(const request& req,
                       const std::vector<std::string_view>& known) {
  auto param = query_param(req.query, "fields");
  if (!param)
    return param.error();
  field_selection sel;
  if (!param.value())
    return sel;
  sel.all_ = false;
  std::string_view rest = *param.value();
  while (true) {
    auto comma = rest.find(',');
    auto name = rest.substr(0, comma);
    if (std::find(known.begin(), known.end(), name) == known.end())
      return failure::invalid("fields", "fields names an unknown field \"" +
                                            std::string{name} + "\"");
    sel.chosen_.emplace_back(name);
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return sel;
}

bool field_selection::wants(std::string_view name) const {
  return all_ ||
         std::find(chosen_.begin(), chosen_.end(), name) != chosen_.end();
}

} // namespace numina::http
