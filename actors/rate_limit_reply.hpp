// The node-local completion of a rate check from the edge. It rides inside
// the message to the limiter, so a check needs no request actor of its own
// (gateway -> shard -> limiter -> callback). It can never cross nodes
// (messages.hpp whitelists it as an unsafe, local-only type).
//
// It answers exactly once: with the verdict, or with `unavailable` when
// the last copy of the message carrying it is destroyed unanswered (its
// limiter died first, or the system is shutting down), so the edge never
// waits forever.
#pragma once

#include <functional>
#include <memory>

#include "actors/rate_limit_policy.hpp"
#include "core/failure.hpp"

namespace numina::actors {

class rate_reply {
public:
  using callback = std::function<void(outcome<rate_verdict>)>;

  rate_reply() = default;
  explicit rate_reply(callback f) : state_(std::make_shared<state>(f)) {}

  /// Delivers the verdict; later calls do nothing.
  void operator()(const rate_verdict& v) const {
    if (state_)
      state_->deliver(outcome<rate_verdict>{v});
  }

private:
  struct state {
    explicit state(callback f) : fn(std::move(f)) {}
    ~state() {
      deliver(outcome<rate_verdict>{failure::of(
          error_code::unavailable, "The rate limiter is unavailable.")});
    }
    void deliver(outcome<rate_verdict> v) {
      if (!fn)
        return;
      auto f = std::move(fn);
      fn = nullptr;
      f(std::move(v));
    }
    callback fn;
  };

  // Shared: CAF may copy a message's content; the last copy decides.
  std::shared_ptr<state> state_;
};

} // namespace numina::actors
