// The DB-pool supervisor under CAF's deterministic test coordinator: time
// moves only when a test advances it, and messages move only when it runs
// the scheduler. The workers are scripted actors with the real worker
// interface, so a test can hold a call "busy" as long as it likes.
#define CAF_SUITE db_pool
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/db_pool.hpp"
#include "actors/error_convert.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

using release_atom = caf::atom_constant<caf::atom("release")>;

// A worker that answers at once, except op "hold" (kept until released) and
// op "crash" (throws: the actor dies, as a worker would on a bug).
using scripted_worker_actor =
    db_worker_actor::extend<caf::reacts_to<release_atom>>;

struct fake_database {
  bool up = true;
  int connects = 0;
};

struct scripted_state {
  std::vector<caf::typed_response_promise<storage::row_set>> held;
};

scripted_worker_actor::behavior_type
scripted_worker(scripted_worker_actor::stateful_pointer<scripted_state> self,
                std::shared_ptr<fake_database> db) {
  return {
      [=](connect_atom) -> caf::result<caf::ok_atom> {
        ++db->connects;
        if (!db->up)
          return to_error(failure::of(error_code::unavailable, "refused"));
        return caf::ok_atom::value;
      },
      [=](query_atom, storage::db_call& call) -> caf::result<storage::row_set> {
        if (!db->up)
          return to_error(failure::of(error_code::unavailable, "gone"));
        if (call.op == "crash")
          throw std::runtime_error("worker bug");
        if (call.op == "hold") {
          auto rp = self->make_response_promise<storage::row_set>();
          self->state.held.push_back(rp);
          return rp;
        }
        return storage::row_set{{"op"}, {{storage::cell::of(call.op)}}, 1};
      },
      [=](release_atom) {
        for (auto& rp : self->state.held)
          rp.deliver(
              storage::row_set{{"op"}, {{storage::cell::of("hold")}}, 1});
        self->state.held.clear();
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<fake_database> db = std::make_shared<fake_database>();
  std::vector<scripted_worker_actor> workers;

  db_pool_actor make_pool(unsigned min, unsigned max) {
    db_pool_config cfg;
    cfg.min_workers = min;
    cfg.max_workers = max;
    cfg.acquire_timeout = 500ms;
    cfg.reconnect_min = 50ms;
    cfg.reconnect_max = 200ms;
    cfg.idle_check = caf::timespan{0}; // no periodic tick in these tests
    auto pool = spawn_db_pool(sys, cfg, [this](caf::actor_system& s) {
      workers.push_back(s.spawn(scripted_worker, db));
      return db_worker_actor{workers.back()};
    });
    sched.run();
    return pool;
  }

  // A call whose answer lands in self's mailbox.
  void call(const db_pool_actor& pool, std::string op) {
    self->send(pool, query_atom::value, storage::db_call{std::move(op), {}});
  }

  // The next answer in self's mailbox: the op that ran, or the error code.
  std::string next_answer() {
    std::string out = "<none>";
    self->receive(
        [&](storage::row_set& rows) { out = rows.rows.at(0).at(0).text; },
        [&](caf::error& err) {
          out = std::string{name_of(to_failure(err).code)};
        },
        caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  pool_snapshot stats(const db_pool_actor& pool) {
    pool_snapshot out;
    self->send(pool, stats_atom::value);
    sched.run();
    self->receive([&](pool_snapshot& s) { out = s; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  void stop(const db_pool_actor& pool) {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(db_pool_tests, fixture)

CAF_TEST(pool_hands_a_call_to_an_idle_worker) {
  auto pool = make_pool(1, 1);
  CAF_CHECK_EQUAL(workers.size(), 1u);
  call(pool, "users.get");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "users.get");
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.queries, 1u);
  CAF_CHECK_EQUAL(s.idle, 1u);
  CAF_CHECK_EQUAL(s.errors, 0u);
  CAF_CHECK(s.database_up);
  stop(pool);
}

CAF_TEST(
    pool_queues_calls_while_every_worker_is_busy_and_serves_them_in_order) {
  auto pool = make_pool(1, 1);
  call(pool, "hold");
  call(pool, "second");
  call(pool, "third");
  sched.run();
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.busy, 1u);
  CAF_CHECK_EQUAL(s.waiting, 2u);
  CAF_CHECK_EQUAL(next_answer(), "<none>");
  self->send(workers[0], release_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "hold");
  CAF_CHECK_EQUAL(next_answer(), "second");
  CAF_CHECK_EQUAL(next_answer(), "third");
  CAF_CHECK_EQUAL(stats(pool).waiting, 0u);
  stop(pool);
}

CAF_TEST(pool_refuses_a_queued_call_once_the_acquire_timeout_passed) {
  auto pool = make_pool(1, 1);
  call(pool, "hold");
  call(pool, "waits");
  sched.run();
  CAF_CHECK_EQUAL(advance_time(499ms), 0u);
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "<none>");
  CAF_CHECK_EQUAL(advance_time(1ms), 1u);
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "unavailable");
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.timeouts, 1u);
  CAF_CHECK_EQUAL(s.waiting, 0u);
  // The held call is still served when its worker finishes.
  self->send(workers[0], release_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "hold");
  stop(pool);
}

CAF_TEST(pool_grows_towards_max_when_calls_wait) {
  auto pool = make_pool(1, 2);
  call(pool, "hold");
  call(pool, "other");
  sched.run();
  CAF_CHECK_EQUAL(workers.size(), 2u);
  CAF_CHECK_EQUAL(next_answer(), "other");
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.size, 2u);
  CAF_CHECK_EQUAL(s.busy, 1u);
  self->send(workers[0], release_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "hold");
  stop(pool);
}

CAF_TEST(pool_replaces_a_worker_that_died) {
  auto pool = make_pool(1, 1);
  call(pool, "crash");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "internal");
  CAF_CHECK_EQUAL(workers.size(), 2u);
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.restarts, 1u);
  CAF_CHECK_EQUAL(s.size, 1u);
  CAF_CHECK_EQUAL(s.errors, 1u);
  call(pool, "after.restart");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "after.restart");
  stop(pool);
}

CAF_TEST(pool_refuses_at_once_while_the_database_is_down_and_recovers) {
  db->up = false;
  auto pool = make_pool(1, 1);
  CAF_CHECK_EQUAL(db->connects, 1);
  call(pool, "users.get");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "unavailable");
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.rejected, 1u);
  CAF_CHECK_EQUAL(s.down, 1u);
  CAF_CHECK(!s.database_up);
  // Backoff doubles: 50 ms, then 100 ms, capped at 200 ms.
  advance_time(50ms);
  sched.run();
  CAF_CHECK_EQUAL(db->connects, 2);
  advance_time(50ms);
  sched.run();
  CAF_CHECK_EQUAL(db->connects, 2);
  advance_time(50ms);
  sched.run();
  CAF_CHECK_EQUAL(db->connects, 3);
  db->up = true;
  advance_time(200ms);
  sched.run();
  CAF_CHECK_EQUAL(db->connects, 4);
  CAF_CHECK(stats(pool).database_up);
  call(pool, "users.get");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "users.get");
  stop(pool);
}

CAF_TEST(pool_rechecks_a_worker_whose_call_found_the_database_gone) {
  auto pool = make_pool(1, 1);
  db->up = false;
  call(pool, "users.get");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "unavailable");
  auto s = stats(pool);
  CAF_CHECK_EQUAL(s.down, 1u);
  CAF_CHECK_EQUAL(db->connects, 2); // the check after the failed call
  db->up = true;
  advance_time(50ms);
  sched.run();
  call(pool, "users.get");
  sched.run();
  CAF_CHECK_EQUAL(next_answer(), "users.get");
  stop(pool);
}

CAF_TEST_FIXTURE_SCOPE_END()
