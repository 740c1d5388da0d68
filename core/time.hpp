// Timestamps as the contract writes them: RFC 3339, UTC, whole seconds,
// with a `Z` suffix ("2026-11-23T07:00:00Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace numina {

/// Seconds since the Unix epoch, UTC.
using unix_seconds = int64_t;

/// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_rfc3339(unix_seconds t);

/// Parses an RFC 3339 date-time with `Z` or a `+hh:mm`/`-hh:mm` offset and
/// optional fractions, normalised to UTC; fractions are dropped (the contract
/// keeps whole seconds). Returns nothing for anything else, including dates
/// that do not exist (2026-02-30) and years outside 1..9999.
std::optional<unix_seconds> parse_rfc3339(std::string_view text);

/// An IMF-fixdate for HTTP headers: "Mon, 23 Nov 2026 07:00:00 GMT".
std::string format_http_date(unix_seconds t);

/// Parses an IMF-fixdate; nothing for other forms.
std::optional<unix_seconds> parse_http_date(std::string_view text);

/// The current time in whole seconds.
unix_seconds now_seconds();

} // namespace numina
