// Background jobs under the deterministic test coordinator: timers fire only
// when the test advances time; the DB pool is scripted.
#define CAF_SUITE job
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/error_convert.hpp"
#include "actors/job.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

using release_atom = caf::atom_constant<caf::atom("release")>;
using scripted_pool_actor = db_pool_actor::extend<caf::reacts_to<release_atom>>;

// Answers each chunk with `chunks_left` more chunks to go, fails while
// `failing`, or holds the chunk while `holding` (until released).
struct script {
  int queries = 0;
  int chunks_left = 0;
  bool failing = false;
  bool holding = false;
  std::vector<std::string> stale;
};

struct pool_state {
  std::vector<caf::typed_response_promise<storage::row_set>> held;
};

storage::row_set chunk_rows(script& s) {
  bool more = s.chunks_left > 0;
  if (more)
    --s.chunks_left;
  std::string stale;
  for (auto& p : s.stale)
    stale += p + "\n";
  return storage::row_set{
      {"touched", "more", "stale"},
      {{storage::cell::of(int64_t{10}), storage::cell::of(more ? "t" : "f"),
        storage::cell::of(stale)}},
      0};
}

scripted_pool_actor::behavior_type
scripted_pool(scripted_pool_actor::stateful_pointer<pool_state> self,
              std::shared_ptr<script> s) {
  return {
      [=](query_atom, storage::db_call&) -> caf::result<storage::row_set> {
        ++s->queries;
        if (s->failing)
          return to_error(failure::of(error_code::unavailable, "down"));
        if (s->holding) {
          auto rp = self->make_response_promise<storage::row_set>();
          self->state.held.push_back(rp);
          return rp;
        }
        return chunk_rows(*s);
      },
      [=](stats_atom) { return pool_snapshot{}; },
      [=](release_atom) {
        for (auto& rp : self->state.held)
          rp.deliver(chunk_rows(*s));
        self->state.held.clear();
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<script> s = std::make_shared<script>();
  scripted_pool_actor pool = sys.spawn(scripted_pool, s);
  std::vector<std::string> invalidated;
  job_supervisor_actor sup;

  fixture() {
    job_config cfg;
    cfg.name = "ratings";
    cfg.operation = "jobs.ratings";
    cfg.interval = 15min;
    cfg.first_backoff = 1s;
    cfg.batch_size = 100;
    cfg.chunk_timeout = 1h; // the held chunk must not time out here
    cfg.invalidate = [this](std::vector<std::string> prefixes,
                            std::function<void()> done) {
      invalidated.insert(invalidated.end(), prefixes.begin(), prefixes.end());
      done();
    };
    sup = spawn_job_supervisor(sys, {cfg}, pool);
    sched.run();
  }

  ~fixture() {
    self->send_exit(sup, caf::exit_reason::user_shutdown);
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    sched.run();
  }

  job_record record() {
    job_record out;
    self->send(sup, records_atom::value);
    sched.run();
    self->receive(
        [&](std::vector<job_record>& all) {
          if (!all.empty())
            out = all.front();
        },
        caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(job_tests, fixture)

CAF_TEST(a_job_fires_on_its_timer_and_again_after_its_interval) {
  CAF_CHECK_EQUAL(s->queries, 0);
  advance_time(15min);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 1);
  auto r = record();
  CAF_CHECK_EQUAL(r.outcome, "ok");
  CAF_CHECK_EQUAL(r.runs, 1u);
  CAF_CHECK_EQUAL(r.rows, 10u);
  advance_time(14min);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 1);
  advance_time(1min);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 2);
}

CAF_TEST(a_run_works_through_every_chunk_and_invalidates_what_they_name) {
  s->chunks_left = 2;
  s->stale = {"class:7|", "rating:7|"};
  self->send(sup, run_atom::value, std::string{"ratings"});
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 3);
  job_record r;
  self->receive([&](job_record& x) { r = x; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_CHECK_EQUAL(r.rows, 30u);
  CAF_CHECK_EQUAL(r.outcome, "ok");
  CAF_CHECK_EQUAL(invalidated.size(), 6u);
}

CAF_TEST(a_job_never_overlaps_itself) {
  s->holding = true;
  self->send(sup, run_atom::value, std::string{"ratings"});
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 1);
  // A second request and the timer both find the run under way.
  self->send(sup, run_atom::value, std::string{"ratings"});
  advance_time(15min);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 1);
  CAF_CHECK(record().running);
  s->holding = false;
  self->send(pool, release_atom::value);
  sched.run();
  int answers = 0;
  for (int i = 0; i < 2; ++i)
    self->receive([&](job_record&) { ++answers; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_CHECK_EQUAL(answers, 2);
  CAF_CHECK_EQUAL(record().runs, 1u);
}

CAF_TEST(a_failed_run_is_retried_with_a_doubling_backoff) {
  s->failing = true;
  advance_time(15min);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 1);
  CAF_CHECK_EQUAL(record().failures, 1u);
  advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 2);
  advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 2); // now 2 s
  advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 3);
  s->failing = false;
  advance_time(4s);
  sched.run();
  CAF_CHECK_EQUAL(s->queries, 4);
  auto r = record();
  CAF_CHECK_EQUAL(r.outcome, "ok");
  CAF_CHECK_EQUAL(r.failures, 3u);
}

CAF_TEST(a_crashed_job_is_restarted_and_its_next_tick_comes) {
  job_actor first;
  self->send(sup, caf::get_atom::value, std::string{"ratings"});
  sched.run();
  self->receive([&](job_actor& j) { first = j; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_REQUIRE(first != nullptr);
  self->send_exit(first, caf::exit_reason::kill);
  sched.run();
  auto r = record();
  CAF_CHECK_EQUAL(r.restarts, 1u);
  advance_time(15min);
  sched.run();
  CAF_CHECK(s->queries >= 1);
  CAF_CHECK_EQUAL(record().runs, 1u);
}

CAF_TEST(an_unknown_job_is_not_found) {
  self->send(sup, run_atom::value, std::string{"nope"});
  sched.run();
  std::string code;
  self->receive([&](job_record&) { code = "record"; },
                [&](caf::error& err) {
                  code = std::string{name_of(to_failure(err).code)};
                },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CAF_CHECK_EQUAL(code, "not_found");
}

CAF_TEST_FIXTURE_SCOPE_END()
