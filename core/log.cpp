#include "core/log.hpp"

#include <cstdio>
#include <string>

#include "core/time.hpp"

namespace numina {

void log(log_level level, std::string_view component, std::string_view text) {
  static constexpr const char* names[] = {"info", "warn", "error"};
  std::string line = format_rfc3339(now_seconds());
  line += ' ';
  line += names[static_cast<int>(level)];
  line += ' ';
  line += component;
  line += ": ";
  line += text;
  line += '\n';
  // One fwrite per line: lines from several threads do not interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace numina
