// The rate-limit policies of api.md section 2 and the algorithm behind
// them: a sliding-window log. No CAF here: the limiter actor holds one
// rate_window per (policy, key), and http/ names policies through this
// header.
//
// Semantics, exact and explainable: a request is allowed when fewer than
// `limit` allowed requests of the same key fall within the `window` ending
// now; a refused request is not counted (it has no effect). Time has
// millisecond resolution.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace numina::actors {

/// When you add one here, also update name_of(), rate_limit_table's
/// constructor and the route mapping in http/rate_limit_step.cpp.
enum class rate_policy_id : uint8_t {
  auth,     // /api/v1/auth/*, by client IP
  messages, // POST /api/v1/messages/send, by user
  activity, // POST /api/v1/social/activity, by user
  reviews,  // POST /api/v1/classes/{id}/reviews, by user
  fallback, // every other /api/v1 request: the contract's "default"
};

inline constexpr size_t rate_policy_count = 5;

/// The policy's name in config keys, /admin/ratelimits and docs: "auth",
/// "messages", "activity", "reviews", "default".
std::string_view name_of(rate_policy_id policy) noexcept;

/// For CAF's deep_to_string (test output).
std::string to_string(rate_policy_id policy);

struct rate_limit {
  uint32_t limit = 100;                    // requests per window, >= 1
  std::chrono::milliseconds window{60000}; // < rate_window::max_window
};

/// The answer to one check; what the RateLimit-* headers and 429 carry.
struct rate_verdict {
  bool allowed = false;
  uint32_t limit = 0;
  /// Requests still allowed in the current window, after this one.
  uint32_t remaining = 0;
  /// Whole seconds until at least one more request would be allowed; 0 when
  /// one would be allowed now.
  uint32_t reset_seconds = 0;
  /// For a refused request, the Retry-After seconds (== reset_seconds,
  /// >= 1); 0 when allowed.
  uint32_t retry_after_seconds = 0;
};

bool operator==(const rate_verdict& x, const rate_verdict& y) noexcept;

/// One check request: which policy, and whose key ("ip:1.2.3.4",
/// "user:42").
struct rate_check {
  rate_policy_id policy = rate_policy_id::fallback;
  std::string key;
};

bool operator==(const rate_check& x, const rate_check& y) noexcept;

/// The sliding-window log of one key: the times of the requests it allowed
/// within the last window, as milliseconds after a moving origin (4 bytes
/// each, so a full default window of 100 requests takes 400 bytes).
class rate_window {
public:
  using clock_type = std::chrono::steady_clock;
  using time_point = clock_type::time_point;

  /// Offsets are 32-bit milliseconds: windows are capped below 2^31 ms
  /// (about 24.8 days), far above any sensible policy.
  static constexpr std::chrono::milliseconds max_window{(1LL << 31) - 1};

  /// Counts a request at `now` when `lim` allows one more, and says so.
  rate_verdict check(const rate_limit& lim, time_point now);

  /// Requests counted within the window ending at the last check.
  size_t counted() const noexcept { return stamps_.size() - head_; }

private:
  // Forgets requests that left the window ending `now_ms` after origin_.
  void expire(int64_t now_ms, int64_t window_ms);
  // Moves origin_ forward so that offsets keep fitting 32 bits.
  void rebase(int64_t& now_ms);

  time_point origin_{};
  std::vector<uint32_t> stamps_; // non-decreasing; [head_, end) are live
  uint32_t head_ = 0;
};

} // namespace numina::actors
