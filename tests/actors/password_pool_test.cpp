// The password pool with scheduled (not detached) hashers, so the test
// controls when a hash runs: concurrency is bounded, the queue is bounded,
// and hashes verify.
#define CAF_SUITE password_pool
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/error_convert.hpp"
#include "actors/password_pool.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;

namespace {

struct fixture : test_coordinator_fixture<> {
  password_actor pool;

  fixture() {
    password_pool_config cfg;
    cfg.concurrency = 1;
    cfg.opslimit = 1;
    cfg.memlimit = 8192; // the minimum: fast enough for a unit test
    cfg.max_waiting = 2;
    cfg.detached = false;
    pool = spawn_password_pool(sys, cfg);
    sched.run();
  }

  ~fixture() {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::string next_hash() {
    std::string out = "<none>";
    self->receive([&](std::string& h) { out = h; },
                  [&](caf::error& err) {
                    out = std::string{name_of(to_failure(err).code)};
                  },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(password_pool_tests, fixture)

CAF_TEST(password_pool_hashes_and_verifies) {
  self->send(pool, hash_atom::value, std::string{"correct horse"});
  sched.run();
  auto hash = next_hash();
  CAF_CHECK_EQUAL(hash.rfind("$argon2id$", 0), 0u);
  auto yes = request<bool>(pool, verify_atom::value,
                           std::string{"correct horse"}, hash);
  CAF_CHECK_EQUAL(yes, true);
  auto no =
      request<bool>(pool, verify_atom::value, std::string{"wrong horse"}, hash);
  CAF_CHECK_EQUAL(no, false);
}

CAF_TEST(password_pool_refuses_beyond_its_queue) {
  // One hasher and two places in the queue: the fourth request is refused
  // before anything has run.
  for (int i = 0; i < 4; ++i)
    self->send(pool, hash_atom::value, std::string{"pw"} + std::to_string(i));
  // Deliver the four requests to the dispatcher only.
  for (int i = 0; i < 4; ++i)
    expect((hash_atom, std::string), from(self).to(pool));
  CAF_CHECK_EQUAL(next_hash(), "unavailable");
  sched.run();
  int hashed = 0;
  for (int i = 0; i < 3; ++i)
    hashed += next_hash().rfind("$argon2id$", 0) == 0;
  CAF_CHECK_EQUAL(hashed, 3);
}

CAF_TEST_FIXTURE_SCOPE_END()
