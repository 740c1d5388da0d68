// The sliding-window log alone, with explicit times: exact counts per
// window, RateLimit-Reset and Retry-After in whole seconds rounded up,
// rollover, and that refused requests have no effect.
#define CAF_SUITE rate_limit_policy
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <memory>
#include <optional>

#include "actors/rate_limit_policy.hpp"
#include "actors/rate_limit_reply.hpp"
#include "actors/rate_limit_table.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

struct fixture {
  rate_window window;
  rate_limit five_per_minute{5, 60s};
  rate_window::time_point t0 = rate_window::time_point{} + 1000h;

  rate_verdict at(std::chrono::milliseconds offset, const rate_limit& lim) {
    return window.check(lim, t0 + offset);
  }
  rate_verdict at(std::chrono::milliseconds offset) {
    return at(offset, five_per_minute);
  }
};

rate_verdict allowed(uint32_t limit, uint32_t remaining, uint32_t reset) {
  return rate_verdict{true, limit, remaining, reset, 0};
}

rate_verdict refused(uint32_t limit, uint32_t retry_after) {
  return rate_verdict{false, limit, 0, retry_after, retry_after};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(rate_limit_policy_tests, fixture)

CAF_TEST(exactly the limit is allowed within one window) {
  for (uint32_t i = 0; i < 4; ++i)
    CAF_CHECK_EQUAL(at(0s), allowed(5, 4 - i, 0));
  // The fifth fills the window: a slot frees when the first leaves it.
  CAF_CHECK_EQUAL(at(0s), allowed(5, 0, 60));
  CAF_CHECK_EQUAL(at(0s), refused(5, 60));
  CAF_CHECK_EQUAL(window.counted(), 5u);
}

CAF_TEST(reset counts down to the moment the oldest request leaves) {
  for (auto s : {0, 10, 20, 30})
    CAF_CHECK(at(std::chrono::seconds(s)).allowed);
  CAF_CHECK_EQUAL(at(40s), allowed(5, 0, 20)); // 0 + 60 - 40
  CAF_CHECK_EQUAL(at(45s), refused(5, 15));
  CAF_CHECK_EQUAL(at(59s), refused(5, 1));
}

CAF_TEST(partial seconds round up so that waiting that long is enough) {
  rate_limit one{1, 60s};
  CAF_CHECK_EQUAL(at(0ms, one), allowed(1, 0, 60));
  CAF_CHECK_EQUAL(at(500ms, one), refused(1, 60));  // 59.5 s -> 60
  CAF_CHECK_EQUAL(at(59001ms, one), refused(1, 1)); // 0.999 s -> 1
  CAF_CHECK_EQUAL(at(59999ms, one), refused(1, 1));
  CAF_CHECK_EQUAL(at(60000ms, one), allowed(1, 0, 60));
}

CAF_TEST(the window slides one request at a time) {
  for (auto s : {0, 10, 20, 30, 40})
    CAF_CHECK(at(std::chrono::seconds(s)).allowed);
  // At 60 s the request of 0 s has left: exactly one slot.
  CAF_CHECK_EQUAL(at(60s), allowed(5, 0, 10)); // next frees at 70 s
  CAF_CHECK_EQUAL(at(60s), refused(5, 10));
  CAF_CHECK_EQUAL(at(70s), allowed(5, 0, 10));
  // Long after: a whole fresh window.
  CAF_CHECK_EQUAL(at(200s), allowed(5, 4, 0));
}

CAF_TEST(refused requests do not count and do not extend the block) {
  CAF_CHECK_EQUAL(at(0s, rate_limit{2, 60s}), allowed(2, 1, 0));
  CAF_CHECK_EQUAL(at(0s, rate_limit{2, 60s}), allowed(2, 0, 60));
  for (int s = 1; s < 60; ++s)
    CAF_CHECK(!at(std::chrono::seconds(s), rate_limit{2, 60s}).allowed);
  CAF_CHECK_EQUAL(window.counted(), 2u);
  CAF_CHECK_EQUAL(at(60s, rate_limit{2, 60s}), allowed(2, 1, 0));
}

CAF_TEST(an hour window with a limit of five) {
  rate_limit reviews{5, 1h};
  for (int i = 0; i < 5; ++i)
    CAF_CHECK(at(std::chrono::minutes(i), reviews).allowed);
  CAF_CHECK_EQUAL(at(10min, reviews), refused(5, 3000));  // 60 - 10 minutes
  CAF_CHECK_EQUAL(at(60min, reviews), allowed(5, 0, 60)); // 1 min frees at 61
}

CAF_TEST(offsets are rebased so that weeks of steady traffic stay exact) {
  // One request every 30 minutes for 30 days, with 2 per hour allowed: the
  // window is never empty, so the 32-bit offsets must move with it.
  rate_limit two_per_hour{2, 1h};
  auto t = 0min;
  int refused_count = 0;
  for (; t < std::chrono::hours(24 * 30); t += 30min)
    refused_count += !at(t, two_per_hour).allowed;
  CAF_CHECK_EQUAL(refused_count, 0);
  // The last two of the previous hour are still in the window: full.
  CAF_CHECK_EQUAL(at(t, two_per_hour), allowed(2, 0, 1800));
  CAF_CHECK_EQUAL(at(t, two_per_hour), refused(2, 1800));
}

CAF_TEST(a clock that goes back never frees a slot early) {
  rate_limit one{1, 60s};
  CAF_CHECK(at(10s, one).allowed);
  CAF_CHECK_EQUAL(at(5s, one), refused(1, 60));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(policy names are the config and contract names) {
  CAF_CHECK_EQUAL(name_of(rate_policy_id::auth), "auth");
  CAF_CHECK_EQUAL(name_of(rate_policy_id::messages), "messages");
  CAF_CHECK_EQUAL(name_of(rate_policy_id::activity), "activity");
  CAF_CHECK_EQUAL(name_of(rate_policy_id::reviews), "reviews");
  CAF_CHECK_EQUAL(name_of(rate_policy_id::fallback), "default");
}

CAF_TEST(the table takes each policy from its own settings) {
  config::rate_limit_settings s;
  s.auth = {7, 30s};
  s.fallback = {3, 2min};
  rate_limit_table table{s};
  CAF_CHECK_EQUAL(table.limit_of(rate_policy_id::auth).limit, 7u);
  CAF_CHECK_EQUAL(table.limit_of(rate_policy_id::auth).window.count(), 30000);
  CAF_CHECK_EQUAL(table.limit_of(rate_policy_id::fallback).limit, 3u);
  CAF_CHECK_EQUAL(table.limit_of(rate_policy_id::reviews).window.count(),
                  3600000);
  table.count_spawn(rate_policy_id::auth);
  table.count_verdict(rate_policy_id::auth, true);
  table.count_verdict(rate_policy_id::auth, false);
  table.count_verdict(rate_policy_id::auth, false);
  auto snap = table.snapshot();
  CAF_CHECK(snap.enabled);
  CAF_CHECK_EQUAL(snap.policies.size(), rate_policy_count);
  CAF_CHECK_EQUAL(snap.policies[0].policy, "auth");
  CAF_CHECK_EQUAL(snap.policies[0].live, 1u);
  CAF_CHECK_EQUAL(snap.policies[0].allowed, 1u);
  CAF_CHECK_EQUAL(snap.policies[0].rejected, 2u);
  CAF_CHECK_EQUAL(snap.policies[4].policy, "default");
  CAF_CHECK_EQUAL(snap.policies[4].window_ms, 120000);
}

CAF_TEST(a reply answers once and a dropped reply answers unavailable) {
  auto results = std::make_shared<std::vector<outcome<rate_verdict>>>();
  {
    rate_reply reply{[results](outcome<rate_verdict> v) {
      results->push_back(std::move(v));
    }};
    auto copy = reply;
    copy(rate_verdict{true, 5, 4, 0, 0});
    reply(rate_verdict{true, 5, 3, 0, 0}); // ignored: answered already
  }
  CAF_CHECK_EQUAL(results->size(), 1u);
  CAF_CHECK(results->at(0).ok() && results->at(0).value().remaining == 4);
  {
    rate_reply dropped{[results](outcome<rate_verdict> v) {
      results->push_back(std::move(v));
    }};
  }
  CAF_CHECK_EQUAL(results->size(), 2u);
  CAF_CHECK(results->size() == 2 && !results->at(1).ok() &&
            results->at(1).error().code == error_code::unavailable);
}
