#include "storage/rows.hpp"

#include <charconv>
#include <stdexcept>

namespace numina::storage {

size_t column(const row_set& rows, std::string_view name) {
  for (size_t i = 0; i < rows.columns.size(); ++i)
    if (rows.columns[i] == name)
      return i;
  throw std::out_of_range("no column " + std::string{name});
}

int64_t as_i64(const cell& c) {
  int64_t n = 0;
  auto r = std::from_chars(c.text.data(), c.text.data() + c.text.size(), n);
  if (c.null || r.ec != std::errc{})
    throw std::invalid_argument("not an integer: " + c.text);
  return n;
}

double as_double(const cell& c) {
  if (c.null)
    throw std::invalid_argument("NULL is not a number");
  return std::stod(c.text);
}

bool as_bool(const cell& c) {
  return !c.null && c.text == "t";
}

unix_seconds as_time(const cell& c) {
  if (c.null)
    throw std::invalid_argument("NULL is not a timestamp");
  // "2026-11-23 07:00:00.123+00" -> RFC 3339 form for the one parser.
  std::string text = c.text;
  if (text.size() > 10 && text[10] == ' ')
    text[10] = 'T';
  // PostgreSQL writes the offset as +00 or +05:30; RFC 3339 wants +hh:mm.
  auto sign = text.find_last_of("+-");
  if (sign != std::string::npos && sign > 10 && text.size() - sign == 3)
    text += ":00";
  auto t = parse_rfc3339(text);
  if (!t)
    throw std::invalid_argument("not a timestamp: " + c.text);
  return *t;
}

std::optional<unix_seconds> as_opt_time(const cell& c) {
  if (c.null)
    return std::nullopt;
  return as_time(c);
}

} // namespace numina::storage
