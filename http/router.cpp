#include "http/router.hpp"

#include <algorithm>

namespace numina::http {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

router& router::add(std::string method, std::string pattern, auth_kind auth,
                    handler run) {
  route r{std::move(method), std::move(pattern), auth, run, {}};
  for (auto seg : split_path(r.pattern))
    r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
  return *this;
}

namespace {

bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

bool matches(const route& r, const std::vector<std::string_view>& parts,
             std::vector<std::pair<std::string, std::string>>* params) {
  if (r.segments.size() != parts.size())
    return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (is_param(seg)) {
      if (parts[i].empty())
        return false;
      if (params)
        params->emplace_back(seg.substr(1, seg.size() - 2),
                             std::string{parts[i]});
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

} // namespace

route_match router::match(std::string_view method,
                          std::string_view path) const {
  route_match m;
  auto parts = split_path(path);
  std::vector<std::string> allowed;
  for (auto& r : routes_) {
    if (!matches(r, parts, nullptr))
      continue;
    if (r.method == method) {
      m.found = &r;
      matches(r, parts, &m.params);
      return m;
    }
    allowed.push_back(r.method);
    if (r.method == "GET")
      allowed.emplace_back("HEAD");
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  for (auto& a : allowed)
    m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

} // namespace numina::http
