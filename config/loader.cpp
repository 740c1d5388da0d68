#include "config/loader.hpp"
#include "core/text.hpp"

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "config/keys.hpp"
#include "config/values.hpp"

namespace numina::config {

namespace {

constexpr std::string_view env_prefix = "NUMINA_";
// Not a settings key: the path of the config file itself.
constexpr std::string_view config_file_env = "NUMINA_CONFIG";

const key_spec* find_key(std::string_view key) {
  for (auto& spec : all_keys())
    if (spec.key == key)
      return &spec;
  return nullptr;
}

std::optional<config_error> apply(settings& s, std::string_view key,
                                  std::string_view value,
                                  const std::string& source) {
  auto* spec = find_key(key);
  if (spec == nullptr)
    return config_error{std::string{key}, "is not a known key", source};
  if (auto reason = spec->set(s, value))
    return config_error{spec->key, *reason, source};
  return std::nullopt;
}

// `key = value` lines; `[section]` prefixes the keys below it; `#` and `;`
// start comments; a value may be wrapped in double quotes.
std::optional<config_error> apply_file(settings& s, const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return config_error{"config", "cannot read the file " + path, path};
  std::string line;
  std::string section;
  for (int n = 1; std::getline(in, line); ++n) {
    auto text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';')
      continue;
    const std::string source = "file " + path + " line " + std::to_string(n);
    if (text.front() == '[') {
      if (text.back() != ']')
        return config_error{std::string{text}, "is not a [section] header",
                            source};
      section = std::string{trim(text.substr(1, text.size() - 2))};
      continue;
    }
    auto eq = text.find('=');
    if (eq == std::string_view::npos)
      return config_error{std::string{text}, "needs the form key = value",
                          source};
    auto key = std::string{trim(text.substr(0, eq))};
    auto value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (!section.empty())
      key = section + "." + key;
    if (auto err = apply(s, key, value, source))
      return err;
  }
  return std::nullopt;
}

} // namespace

std::string env_name(const std::string& key) {
  std::string out{env_prefix};
  for (char c : key)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

load_result load(const std::vector<std::string>& args,
                 const std::vector<std::string>& env) {
  loaded result;
  auto fail = [](config_error e) {
    load_result r;
    r.error = std::move(e);
    return r;
  };
  // Flags first into a list, so the file named by --config is read before
  // the environment and the flags override it.
  std::string file;
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      continue;
    }
    if (arg == "--print-config") {
      result.print_config = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0)
      return fail({arg, "is not a flag (flags look like --http.port=8080)",
                   "command line"});
    auto body = arg.substr(2);
    std::string key, value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      key = body.substr(0, eq);
      value = body.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      key = body;
      value = args[++i];
    } else {
      return fail({body, "needs a value", "--" + body});
    }
    if (key == "config")
      file = value;
    else
      flags.emplace_back(key, value);
  }
  std::map<std::string, std::string> env_values;
  for (auto& entry : env) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind(env_prefix, 0) != 0)
      continue;
    auto name = entry.substr(0, eq);
    if (name == config_file_env) {
      if (file.empty())
        file = entry.substr(eq + 1);
      continue;
    }
    env_values[name] = entry.substr(eq + 1);
  }
  if (!file.empty())
    if (auto err = apply_file(result.values, file))
      return fail(std::move(*err));
  for (auto& [name, value] : env_values) {
    const key_spec* spec = nullptr;
    for (auto& k : all_keys())
      if (env_name(k.key) == name)
        spec = &k;
    if (spec == nullptr)
      return fail({name, "is not a known NUMINA_ variable", name});
    if (auto err = apply(result.values, spec->key, value, name))
      return fail(std::move(*err));
  }
  for (auto& [key, value] : flags)
    if (auto err = apply(result.values, key, value, "--" + key))
      return fail(std::move(*err));
  if (auto broken = check_rules(result.values))
    return fail({broken->first, broken->second, "combined settings"});
  load_result r;
  r.ok = std::move(result);
  return r;
}

load_result load(int argc, char** argv, char** envp) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  std::vector<std::string> env;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e)
    env.emplace_back(*e);
  return load(args, env);
}

std::string mask_database_url(const std::string& url) {
  std::string out = url;
  // URL form: scheme://user:password@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "****");
  }
  // key=value form: password=secret
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    auto start = pos + 9;
    auto end = out.find(' ', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start,
                "****");
  }
  return out;
}

std::string render(const settings& s) {
  std::ostringstream out;
  for (auto& spec : all_keys()) {
    auto value = spec.get(s);
    if (spec.secret && !value.empty())
      value = spec.key == "database.url" ? mask_database_url(value) : "****";
    out << spec.key << " = " << value << '\n';
  }
  return out.str();
}

std::string usage() {
  std::ostringstream out;
  settings defaults;
  out << "usage: numina [--config=FILE] [--print-config] [--KEY=VALUE ...]\n\n"
         "Every key can also be set as NUMINA_KEY in the environment (dots "
         "become\nunderscores, letters upper case) or in the config file. "
         "Precedence:\nflags > environment > file > defaults.\n\n";
  for (auto& spec : all_keys())
    out << "  --" << spec.key << " (" << env_name(spec.key) << ", default "
        << (spec.get(defaults).empty() ? "empty" : spec.get(defaults))
        << ")\n      " << spec.doc << '\n';
  return out.str();
}

} // namespace numina::config
