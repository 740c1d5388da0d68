// Reads the settings from, in rising precedence: defaults, a config file,
// NUMINA_* environment variables, command-line flags. Anything unknown or
// malformed is an error naming the key; main() exits with code 2.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace numina::config {

struct config_error {
  std::string key;     // e.g. "http.port"
  std::string message; // e.g. "must be an integer in 0..65535"
  std::string
      source; // "file app.conf line 3", "NUMINA_HTTP_PORT", "--http.port"
};

struct loaded {
  settings values;
  bool print_config = false;
  bool help = false;
};

struct load_result {
  std::optional<loaded> ok;
  std::optional<config_error> error;
};

/// `args` excludes argv[0]; `env` holds "NAME=value" strings.
load_result load(const std::vector<std::string>& args,
                 const std::vector<std::string>& env);

/// Convenience for main().
load_result load(int argc, char** argv, char** envp);

/// `key = value` lines of the effective config, secrets masked.
std::string render(const settings& s);

/// Usage text listing every key with its doc and default.
std::string usage();

/// "section.name" -> "NUMINA_SECTION_NAME".
std::string env_name(const std::string& key);

/// Masks the password of a libpq URL or key/value connection string.
std::string mask_database_url(const std::string& url);

} // namespace numina::config
