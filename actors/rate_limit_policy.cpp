#include "actors/rate_limit_policy.hpp"

#include <algorithm>

namespace numina::actors {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Offsets beyond this are moved back by rebase(); any live offset stays
// below the window, which is below 2^31 ms.
constexpr int64_t rebase_after = int64_t{1} << 31;

// Whole seconds, rounded up: a client that waits this long gets in.
uint32_t ceil_seconds(int64_t ms) {
  return static_cast<uint32_t>((std::max<int64_t>(ms, 0) + 999) / 1000);
}

} // namespace

std::string_view name_of(rate_policy_id policy) noexcept {
  switch (policy) {
  case rate_policy_id::auth:
    return "auth";
  case rate_policy_id::messages:
    return "messages";
  case rate_policy_id::activity:
    return "activity";
  case rate_policy_id::reviews:
    return "reviews";
  case rate_policy_id::fallback:
    return "default";
  }
  return "default";
}

std::string to_string(rate_policy_id policy) {
  return std::string{name_of(policy)};
}

bool operator==(const rate_verdict& x, const rate_verdict& y) noexcept {
  return x.allowed == y.allowed && x.limit == y.limit &&
         x.remaining == y.remaining && x.reset_seconds == y.reset_seconds &&
         x.retry_after_seconds == y.retry_after_seconds;
}

bool operator==(const rate_check& x, const rate_check& y) noexcept {
  return x.policy == y.policy && x.key == y.key;
}

void rate_window::expire(int64_t now_ms, int64_t window_ms) {
  while (head_ < stamps_.size() && now_ms - stamps_[head_] >= window_ms)
    ++head_;
  if (head_ == stamps_.size()) {
    stamps_.clear();
    head_ = 0;
  } else if (head_ >= 32 && head_ * 2 >= stamps_.size()) {
    // Amortised O(1): the dead prefix is dropped once it is half the log.
    stamps_.erase(stamps_.begin(), stamps_.begin() + head_);
    head_ = 0;
  }
}

void rate_window::rebase(int64_t& now_ms) {
  const uint32_t shift = stamps_[head_];
  stamps_.erase(stamps_.begin(), stamps_.begin() + head_);
  head_ = 0;
  for (auto& s : stamps_)
    s -= shift;
  origin_ += milliseconds{shift};
  now_ms -= shift;
}

rate_verdict rate_window::check(const rate_limit& lim, time_point now) {
  const int64_t window_ms =
      std::clamp<int64_t>(lim.window.count(), 1, max_window.count());
  const uint32_t limit = std::max<uint32_t>(lim.limit, 1);
  int64_t now_ms =
      std::max<int64_t>(duration_cast<milliseconds>(now - origin_).count(), 0);
  expire(now_ms, window_ms);
  if (stamps_.empty()) {
    // Nothing in the window: start the offsets afresh at `now`.
    origin_ = now;
    now_ms = 0;
  } else if (now_ms >= rebase_after) {
    rebase(now_ms);
  }
  if (!stamps_.empty())
    now_ms = std::max<int64_t>(now_ms, stamps_.back()); // never go back
  rate_verdict v;
  v.limit = limit;
  auto n = counted();
  v.allowed = n < limit;
  if (v.allowed) {
    stamps_.push_back(static_cast<uint32_t>(now_ms));
    ++n;
    v.remaining = static_cast<uint32_t>(limit - n);
  }
  if (v.remaining == 0) {
    // Full: a slot frees when the oldest request that keeps the window at
    // its limit leaves it.
    auto oldest = stamps_[head_ + (n - limit)];
    v.reset_seconds = ceil_seconds(oldest + window_ms - now_ms);
  }
  if (!v.allowed)
    v.retry_after_seconds = v.reset_seconds;
  return v;
}

} // namespace numina::actors
