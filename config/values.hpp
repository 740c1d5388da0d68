// Text <-> value codecs for config keys. Each parse returns the value or the
// reason it was refused, phrased to follow the key's name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"

namespace numina::config {

template <class T>
using parsed = std::variant<T, std::string>; // value or reason

parsed<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max);
/// Bytes: a whole number with an optional unit B, KiB, MiB, GiB.
parsed<uint64_t> parse_size(std::string_view text);
/// A whole number with a unit: ms, s, m (minutes), h. "0" alone is allowed.
parsed<duration> parse_duration(std::string_view text);
parsed<bool> parse_bool(std::string_view text);
/// Comma-separated, blanks trimmed, empty items dropped.
std::vector<std::string> parse_list(std::string_view text);

std::string format_duration(duration d);
std::string format_size(uint64_t bytes);

} // namespace numina::config
