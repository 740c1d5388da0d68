#include "actors/rate_limit_table.hpp"

#include <algorithm>

namespace numina::actors {

namespace {

rate_limit from(const config::rate_policy& p) {
  rate_limit out;
  out.limit = std::max<uint32_t>(p.limit, 1);
  out.window = std::clamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(p.window),
      std::chrono::milliseconds{1}, rate_window::max_window);
  return out;
}

} // namespace

rate_limit_table::rate_limit_table(const config::rate_limit_settings& s)
  : enabled_(s.enabled), limits_{from(s.auth), from(s.messages),
                                 from(s.activity), from(s.reviews),
                                 from(s.fallback)} {}

rate_limit_snapshot rate_limit_table::snapshot() const {
  rate_limit_snapshot out;
  out.enabled = enabled_;
  for (size_t i = 0; i < rate_policy_count; ++i) {
    rate_policy_stats s;
    s.policy = std::string{name_of(static_cast<rate_policy_id>(i))};
    s.limit = limits_[i].limit;
    s.window_ms = limits_[i].window.count();
    s.live = counters_[i].live.load(std::memory_order_relaxed);
    s.allowed = counters_[i].allowed.load(std::memory_order_relaxed);
    s.rejected = counters_[i].rejected.load(std::memory_order_relaxed);
    out.policies.push_back(std::move(s));
  }
  return out;
}

} // namespace numina::actors
