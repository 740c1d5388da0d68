// idempotency.* operations through the real executor, each test on a fresh
// database (storage_fixture.hpp).
#define CAF_SUITE storage_idempotency
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/idempotency.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::testing::storage_fixture;

namespace {

using kind = idempotency_state::kind;

const std::string scope = "user:7 POST /api/v1/classes";

bool decode_throws(const row_set& rows) {
  try {
    decode_idempotency(rows);
    return false;
  } catch (const std::invalid_argument&) {
    return true;
  }
}

// What the server passes at its default timeouts.
constexpr std::chrono::seconds lease{600};

struct fixture : storage_fixture {
  idempotency_state begin(const std::string& key, const std::string& hash,
                          const std::string& in_scope = scope) {
    return decode_idempotency(
        must(idempotency_begin(in_scope, key, hash, lease)));
  }

  struct race_result {
    int fresh = 0;
    int running = 0;
  };

  // `racers` threads, a connection each, begin `key` at the same moment.
  race_result race_begin(const std::string& key, int racers) {
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    std::vector<std::future<int>> results;
    for (int i = 0; i < racers; ++i)
      results.push_back(std::async(std::launch::async, [&] {
        auto exec = new_executor();
        opened.wait();
        auto r = exec->run(idempotency_begin(scope, key, "h", lease));
        if (!r)
          return -1;
        return static_cast<int>(decode_idempotency(r.value()).state);
      }));
    gate.set_value();
    race_result out;
    for (auto& r : results) {
      const int state = r.get();
      out.fresh += state == static_cast<int>(kind::fresh);
      out.running += state == static_cast<int>(kind::running);
    }
    return out;
  }

  // Moves every entry of `key` back by `hours` (or `minutes`).
  void age(const std::string& key, int hours, int minutes = 0) {
    sql("UPDATE idempotency_keys SET created_at = created_at - interval '" +
        std::to_string(hours * 60 + minutes) + " minutes' WHERE key = '" + key +
        "'");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_idempotency_tests, fixture)

CAF_TEST(the first begin is fresh and a repeat while running says so) {
  CAF_CHECK(begin("k1", "h1").state == kind::fresh);
  CAF_CHECK(begin("k1", "h1").state == kind::running);
  CAF_CHECK(begin("k1", "other body").state == kind::mismatch);
  CAF_CHECK_EQUAL(sql_value("SELECT state FROM idempotency_keys"), "running");
}

CAF_TEST(a finished key replays the stored response) {
  CAF_CHECK(begin("k1", "h1").state == kind::fresh);
  must(idempotency_finish(scope, "k1", 201, R"({"id":5})",
                          "Location: /api/v1/classes/5\n"));
  const auto replay = begin("k1", "h1");
  CAF_CHECK(replay.state == kind::done);
  CAF_CHECK_EQUAL(replay.status, 201);
  CAF_CHECK_EQUAL(replay.body, R"({"id":5})");
  CAF_CHECK_EQUAL(replay.headers, "Location: /api/v1/classes/5\n");
  CAF_CHECK(begin("k1", "h2").state == kind::mismatch);
  // A second finish cannot overwrite the first response.
  const auto again = must(idempotency_finish(scope, "k1", 500, "x", ""));
  CAF_CHECK_EQUAL(again.affected, 0u);
  CAF_CHECK_EQUAL(begin("k1", "h1").status, 201);
}

CAF_TEST(keys are scoped) {
  CAF_CHECK(begin("k1", "h1").state == kind::fresh);
  CAF_CHECK(begin("k1", "h1", "user:8 POST /api/v1/classes").state ==
            kind::fresh);
  CAF_CHECK(begin("k1", "h1", "user:7 POST /api/v1/messages/send").state ==
            kind::fresh);
  CAF_CHECK(begin("k2", "h1").state == kind::fresh);
}

CAF_TEST(an aborted claim is forgotten but a stored response is not ) {
  CAF_CHECK(begin("k1", "h1").state == kind::fresh);
  must(idempotency_abort(scope, "k1"));
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM idempotency_keys"), "0");
  CAF_CHECK(begin("k1", "h2").state == kind::fresh);
  must(idempotency_finish(scope, "k1", 200, "{}", ""));
  must(idempotency_abort(scope, "k1"));
  CAF_CHECK(begin("k1", "h2").state == kind::done);
}

CAF_TEST(an entry older than a day counts as absent) {
  CAF_CHECK(begin("old", "h1").state == kind::fresh);
  must(idempotency_finish(scope, "old", 201, "first", ""));
  age("old", 23);
  CAF_CHECK(begin("old", "h1").state == kind::done); // still within 24 h
  age("old", 2);
  CAF_CHECK(begin("old", "new body").state == kind::fresh);
  CAF_CHECK_EQUAL(sql_value("SELECT request_hash || ' ' || state"
                            " FROM idempotency_keys"),
                  "new body running");
}

CAF_TEST(a claim left running past its lease counts as absent) {
  CAF_CHECK(begin("crashed", "h1").state == kind::fresh);
  age("crashed", 0, 9); // the lease is 10 minutes
  CAF_CHECK(begin("crashed", "h1").state == kind::running);
  age("crashed", 0, 2);
  // The process that claimed it is gone: the retry runs (also with another
  // body: nothing was stored to compare with).
  CAF_CHECK(begin("crashed", "h2").state == kind::fresh);
  CAF_CHECK_EQUAL(sql_value("SELECT request_hash || ' ' || state"
                            " FROM idempotency_keys"),
                  "h2 running");
  // A stored response is kept for the whole day, lease or not.
  must(idempotency_finish(scope, "crashed", 201, "first", ""));
  age("crashed", 1);
  CAF_CHECK(begin("crashed", "h2").state == kind::done);
}

CAF_TEST(a sweep removes only entries older than a day) {
  for (const char* key : {"a", "b", "c"}) {
    CAF_CHECK(begin(key, "h").state == kind::fresh);
  }
  must(idempotency_finish(scope, "a", 200, "{}", ""));
  age("a", 25);
  age("b", 25);
  age("c", 23);
  // A batch of one: a chunk at a time, `more` while a full batch went.
  const auto first = must(idempotency_sweep(1));
  if (first.rows.size() != 1 ||
      first.columns != std::vector<std::string>{"touched", "more", "stale"}) {
    CAF_ERROR("expected one row with the columns touched, more, stale");
    return;
  }
  CAF_CHECK_EQUAL(first.rows[0][0].text, "1");
  CAF_CHECK_EQUAL(first.rows[0][1].text, "t");
  const auto second = must(idempotency_sweep(100));
  CAF_CHECK_EQUAL(second.rows.at(0).at(0).text, "1");
  CAF_CHECK_EQUAL(second.rows.at(0).at(1).text, "f");
  CAF_CHECK_EQUAL(
      sql_value("SELECT string_agg(key, ',') FROM idempotency_keys"), "c");
  const auto none_left = must(idempotency_sweep(100));
  CAF_CHECK_EQUAL(none_left.rows.at(0).at(0).text, "0");
}

CAF_TEST(of concurrent begins of one key exactly one is fresh) {
  const auto r = race_begin("race", 20);
  CAF_CHECK_EQUAL(r.fresh, 1);
  CAF_CHECK_EQUAL(r.running, 19);
}

CAF_TEST(of concurrent begins of an expired key exactly one is fresh) {
  CAF_CHECK(begin("race", "h").state == kind::fresh);
  must(idempotency_finish(scope, "race", 200, "{}", ""));
  age("race", 25);
  const auto r = race_begin("race", 20);
  CAF_CHECK_EQUAL(r.fresh, 1);
  CAF_CHECK_EQUAL(r.running, 19);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM idempotency_keys"), "1");
}

CAF_TEST_FIXTURE_SCOPE_END()

// Pure decoding: no database needed.
CAF_TEST(decoding refuses an unknown state and a missing row) {
  row_set bad{{"state", "status", "body", "headers"},
              {{cell::of(std::string{"lost"}), cell::none(), cell::none(),
                cell::none()}},
              0};
  CAF_CHECK(decode_throws(bad));
  CAF_CHECK(decode_throws(row_set{}));
}
