// The registry shards and their limiters on CAF's test coordinator, with
// the test clock: exact counts, Retry-After and rollover through the actors,
// idle limiters stop (and a returning client starts fresh), a limiter with
// checks on their way is not stopped, and keys spread over the shards.
//
// The fixture's run() and request<T>() fire every pending timeout, which
// would stop idle limiters at once; these tests use sched.run() and move
// time only with advance_time().
#define CAF_SUITE rate_limit_registry
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/rate_limit_registry.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

config::rate_limit_settings test_settings() {
  config::rate_limit_settings s;
  s.auth = {3, 60s};
  s.fallback = {100, 60s};
  return s;
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<rate_limit_table> table =
      std::make_shared<rate_limit_table>(test_settings());
  std::vector<rate_registry_local> shards;

  void start(size_t n) {
    shards = spawn_rate_registry(sys, table, n);
    sched.run();
  }

  ~fixture() {
    for (auto& s : shards)
      self->send_exit(s, caf::exit_reason::user_shutdown);
    sched.run();
  }

  const rate_registry_local& shard_for(const rate_check& c) {
    return shards[rate_shard_of(c, shards.size())];
  }

  // A check through the serializable request path.
  rate_verdict check(rate_policy_id p, const std::string& key) {
    rate_check c{p, key};
    self->send(shard_for(c), rate_check_atom::value, c);
    sched.run();
    rate_verdict out;
    out.limit = 0xdead; // marks "no answer"
    self->receive([&](rate_verdict& v) { out = v; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  // A check through the edge's path: the verdict arrives at a callback.
  std::optional<outcome<rate_verdict>> check_local(rate_policy_id p,
                                                   const std::string& key) {
    auto got = std::make_shared<std::optional<outcome<rate_verdict>>>();
    rate_check c{p, key};
    caf::anon_send(shard_for(c), rate_check_atom::value, c,
                   rate_reply{[got](outcome<rate_verdict> v) { *got = v; }});
    sched.run();
    return *got;
  }

  uint64_t live_in(const rate_registry_local& shard) {
    self->send(shard, stats_atom::value);
    sched.run();
    uint64_t n = 0xdead;
    self->receive([&](uint64_t x) { n = x; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return n;
  }

  uint64_t live() {
    uint64_t n = 0;
    for (auto& s : shards)
      n += live_in(s);
    return n;
  }

  const rate_policy_stats& stats_of(rate_policy_id p) {
    snapshot = table->snapshot();
    return snapshot.policies[static_cast<size_t>(p)];
  }

  rate_limit_snapshot snapshot;
};

constexpr auto auth = rate_policy_id::auth;
constexpr auto fallback = rate_policy_id::fallback;

} // namespace

CAF_TEST_FIXTURE_SCOPE(rate_limit_registry_tests, fixture)

CAF_TEST(a limiter allows exactly the limit per window then refuses) {
  start(1);
  CAF_CHECK_EQUAL(check(auth, "ip:10.0.0.1"), (rate_verdict{true, 3, 2, 0, 0}));
  CAF_CHECK_EQUAL(check(auth, "ip:10.0.0.1"), (rate_verdict{true, 3, 1, 0, 0}));
  CAF_CHECK_EQUAL(check(auth, "ip:10.0.0.1"),
                  (rate_verdict{true, 3, 0, 60, 0}));
  CAF_CHECK_EQUAL(check(auth, "ip:10.0.0.1"),
                  (rate_verdict{false, 3, 0, 60, 60}));
  CAF_CHECK_EQUAL(live(), 1u);
  CAF_CHECK_EQUAL(stats_of(auth).allowed, 3u);
  CAF_CHECK_EQUAL(stats_of(auth).rejected, 1u);
  CAF_CHECK_EQUAL(stats_of(auth).live, 1u);
}

CAF_TEST(retry after follows the test clock and the window rolls over) {
  start(1);
  CAF_CHECK(check(auth, "ip:a").allowed); // t = 0
  advance_time(30s);
  CAF_CHECK(check(auth, "ip:a").allowed); // t = 30
  CAF_CHECK_EQUAL(check(auth, "ip:a").reset_seconds, 30u);
  advance_time(20s);
  CAF_CHECK_EQUAL(check(auth, "ip:a"), (rate_verdict{false, 3, 0, 10, 10}));
  advance_time(10s); // t = 60: the request of t = 0 has left the window
  CAF_CHECK_EQUAL(check(auth, "ip:a"), (rate_verdict{true, 3, 0, 0 + 30, 0}));
  CAF_CHECK_EQUAL(check(auth, "ip:a"), (rate_verdict{false, 3, 0, 30, 30}));
  CAF_CHECK_EQUAL(live(), 1u); // never idle for a whole window
}

CAF_TEST(keys and policies are limited separately) {
  start(2);
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(check(auth, "ip:a").allowed);
  CAF_CHECK(!check(auth, "ip:a").allowed);
  CAF_CHECK_EQUAL(check(auth, "ip:b"), (rate_verdict{true, 3, 2, 0, 0}));
  CAF_CHECK_EQUAL(check(fallback, "ip:a"), (rate_verdict{true, 100, 99, 0, 0}));
  CAF_CHECK_EQUAL(live(), 3u);
  CAF_CHECK_EQUAL(stats_of(fallback).live, 1u);
  CAF_CHECK_EQUAL(stats_of(auth).live, 2u);
}

CAF_TEST(the edge path answers through its callback) {
  start(1);
  auto v = check_local(auth, "ip:a");
  CAF_REQUIRE(v.has_value());
  CAF_CHECK(v->ok() && v->value() == (rate_verdict{true, 3, 2, 0, 0}));
  // Both paths reach the same limiter.
  CAF_CHECK_EQUAL(check(auth, "ip:a").remaining, 1u);
  CAF_CHECK_EQUAL(live(), 1u);
}

CAF_TEST(an idle limiter stops and a returning client starts fresh) {
  start(1);
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(check(auth, "ip:a").allowed);
  CAF_CHECK_EQUAL(live(), 1u);
  advance_time(59s);
  sched.run();
  CAF_CHECK_EQUAL(live(), 1u); // not idle for a whole window yet
  advance_time(1s);            // idle for 60 s: it asks to stop
  sched.run();
  CAF_CHECK_EQUAL(live(), 0u);
  CAF_CHECK_EQUAL(stats_of(auth).live, 0u);
  CAF_CHECK_EQUAL(check(auth, "ip:a"), (rate_verdict{true, 3, 2, 0, 0}));
  CAF_CHECK_EQUAL(live(), 1u);
}

CAF_TEST(a limiter with a check on its way is not stopped) {
  start(1);
  CAF_CHECK(check(auth, "ip:a").allowed);
  // Idle for a window: its timeout is queued at the limiter ...
  advance_time(60s);
  // ... and the shard forwards a new check behind it before the limiter
  // runs. The limiter asks to stop, the shard refuses (one check on its
  // way), and the check is answered by the same, living limiter.
  auto got = std::make_shared<std::optional<outcome<rate_verdict>>>();
  rate_check c{auth, "ip:a"};
  caf::anon_send(shards[0], rate_check_atom::value, c,
                 rate_reply{[got](outcome<rate_verdict> v) { *got = v; }});
  sched.run();
  CAF_REQUIRE(got->has_value());
  CAF_CHECK((*got)->ok());
  CAF_CHECK_EQUAL(live(), 1u);
  // Idle again for a whole window: now it stops.
  advance_time(60s);
  sched.run();
  CAF_CHECK_EQUAL(live(), 0u);
}

CAF_TEST(the registry spreads keys over its shards) {
  start(4);
  const int keys = 400;
  for (int i = 0; i < keys; ++i)
    CAF_CHECK(check(fallback, "user:" + std::to_string(i)).allowed);
  uint64_t total = 0;
  for (auto& s : shards) {
    auto n = live_in(s);
    total += n;
    // 100 expected per shard; a hash that piles keys up fails this.
    CAF_CHECK_GREATER(n, 60u);
    CAF_CHECK_LESS(n, 140u);
  }
  CAF_CHECK_EQUAL(total, 400u);
  // A key always lands on the same shard.
  rate_check c{fallback, "user:7"};
  CAF_CHECK_EQUAL(rate_shard_of(c, 4), rate_shard_of(c, 4));
  CAF_CHECK_EQUAL(check(fallback, "user:7").remaining, 98u);
  CAF_CHECK_EQUAL(live(), 400u);
}

CAF_TEST(a stopped registry answers the edge unavailable) {
  start(1);
  CAF_CHECK(check(auth, "ip:a").allowed);
  self->send_exit(shards[0], caf::exit_reason::user_shutdown);
  sched.run();
  auto v = check_local(auth, "ip:a");
  CAF_REQUIRE(v.has_value());
  CAF_CHECK(!v->ok() && v->error().code == error_code::unavailable);
}

CAF_TEST_FIXTURE_SCOPE_END()
