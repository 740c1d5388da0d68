// What every rate limiter of a node shares: the policies as configured and
// the counters /admin/ratelimits shows. Built once by the runtime (or a
// test) and shared by the registry shards and their limiters, which update
// the counters without a message (style.md: metrics declared once per
// feature). No CAF here.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/rate_limit_policy.hpp"
#include "config/settings.hpp"

namespace numina::actors {

/// One policy as /admin/ratelimits reports it.
struct rate_policy_stats {
  std::string policy; // name_of(rate_policy_id)
  uint32_t limit = 0;
  int64_t window_ms = 0;
  uint64_t live = 0;     // limiters alive now
  uint64_t allowed = 0;  // requests let through since start
  uint64_t rejected = 0; // requests answered 429 since start
};

struct rate_limit_snapshot {
  bool enabled = true;
  std::vector<rate_policy_stats> policies; // in rate_policy_id order
};

class rate_limit_table {
public:
  explicit rate_limit_table(const config::rate_limit_settings& s);

  bool enabled() const noexcept { return enabled_; }

  const rate_limit& limit_of(rate_policy_id p) const noexcept {
    return limits_[index(p)];
  }

  void count_verdict(rate_policy_id p, bool allowed) noexcept {
    auto& c = counters_[index(p)];
    (allowed ? c.allowed : c.rejected).fetch_add(1, std::memory_order_relaxed);
  }
  void count_spawn(rate_policy_id p) noexcept {
    counters_[index(p)].live.fetch_add(1, std::memory_order_relaxed);
  }
  void count_stop(rate_policy_id p) noexcept {
    counters_[index(p)].live.fetch_sub(1, std::memory_order_relaxed);
  }

  rate_limit_snapshot snapshot() const;

private:
  static size_t index(rate_policy_id p) noexcept {
    return static_cast<size_t>(p);
  }

  struct counters {
    std::atomic<uint64_t> live{0};
    std::atomic<uint64_t> allowed{0};
    std::atomic<uint64_t> rejected{0};
  };

  bool enabled_;
  std::array<rate_limit, rate_policy_count> limits_;
  std::array<counters, rate_policy_count> counters_;
};

} // namespace numina::actors
