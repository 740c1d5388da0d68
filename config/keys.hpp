// The table of every configuration key: name, doc, how to set and print it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace numina::config {

struct key_spec {
  std::string key;
  std::string doc;
  bool secret = false;
  /// Sets the value from text; returns the reason on refusal.
  std::function<std::optional<std::string>(settings&, std::string_view)> set;
  std::function<std::string(const settings&)> get;
};

const std::vector<key_spec>& all_keys();

/// Rules that span several keys; returns the key at fault and the reason.
std::optional<std::pair<std::string, std::string>>
check_rules(const settings& s);

} // namespace numina::config
