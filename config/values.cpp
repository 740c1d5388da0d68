#include "config/values.hpp"
#include "core/text.hpp"

#include <charconv>
#include <limits>

namespace numina::config {

namespace {

// Splits "250ms" into 250 and "ms"; false if no leading digits or overflow.
bool split_number(std::string_view s, uint64_t& n, std::string_view& unit) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc{} || r.ptr == s.data())
    return false;
  unit = s.substr(static_cast<size_t>(r.ptr - s.data()));
  return true;
}

} // namespace

parsed<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max) {
  auto s = trim(text);
  uint64_t n = 0;
  std::string_view rest;
  const std::string want = "must be a whole number in " + std::to_string(min) +
                           ".." + std::to_string(max);
  if (!split_number(s, n, rest) || !rest.empty() || n < min || n > max)
    return want;
  return n;
}

parsed<uint64_t> parse_size(std::string_view text) {
  auto s = trim(text);
  uint64_t n = 0;
  std::string_view unit;
  const std::string want = "must be a size such as 1048576, 512KiB or 1MiB";
  if (!split_number(s, n, unit))
    return want;
  uint64_t mult = 0;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "KiB")
    mult = 1ull << 10;
  else if (unit == "MiB")
    mult = 1ull << 20;
  else if (unit == "GiB")
    mult = 1ull << 30;
  else
    return want;
  if (n > std::numeric_limits<uint64_t>::max() / mult)
    return want;
  return n * mult;
}

parsed<duration> parse_duration(std::string_view text) {
  auto s = trim(text);
  uint64_t n = 0;
  std::string_view unit;
  const std::string want = "must be a duration such as 250ms, 10s, 5m or 1h";
  if (!split_number(s, n, unit))
    return want;
  uint64_t ms_per = 0;
  if (unit == "ms")
    ms_per = 1;
  else if (unit == "s")
    ms_per = 1000;
  else if (unit == "m")
    ms_per = 60'000;
  else if (unit == "h")
    ms_per = 3'600'000;
  else if (unit.empty() && n == 0)
    ms_per = 1;
  else
    return want;
  // Ten years is plenty and keeps every later arithmetic far from overflow.
  if (n > 315'360'000'000ull / ms_per)
    return want;
  return duration{static_cast<int64_t>(n * ms_per)};
}

parsed<bool> parse_bool(std::string_view text) {
  auto s = trim(text);
  if (s == "true" || s == "1" || s == "yes" || s == "on")
    return true;
  if (s == "false" || s == "0" || s == "no" || s == "off")
    return false;
  return std::string{"must be true or false"};
}

std::vector<std::string> parse_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty())
      out.emplace_back(item);
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_duration(duration d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size(uint64_t b) {
  if (b != 0 && b % (1ull << 30) == 0)
    return std::to_string(b >> 30) + "GiB";
  if (b != 0 && b % (1ull << 20) == 0)
    return std::to_string(b >> 20) + "MiB";
  if (b != 0 && b % (1ull << 10) == 0)
    return std::to_string(b >> 10) + "KiB";
  return std::to_string(b);
}

} // namespace numina::config
