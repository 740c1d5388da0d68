// One-line logs on stderr: "2026-11-23T07:00:00Z level component: text".
// Operators read them with journalctl or the run script's output; metrics
// and admin endpoints carry the numbers.
#pragma once

#include <string_view>

namespace numina {

enum class log_level { info, warn, error };

void log(log_level level, std::string_view component, std::string_view text);

inline void log_info(std::string_view component, std::string_view text) {
  log(log_level::info, component, text);
}
inline void log_warn(std::string_view component, std::string_view text) {
  log(log_level::warn, component, text);
}
inline void log_error(std::string_view component, std::string_view text) {
  log(log_level::error, component, text);
}

} // namespace numina
