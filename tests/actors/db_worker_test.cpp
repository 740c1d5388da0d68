// The real worker actor around a scripted executor: it connects on demand,
// runs calls, and reports the executor's failures with their codes.
#define CAF_SUITE db_worker
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/db_worker.hpp"
#include "actors/error_convert.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;

namespace {

class scripted_executor : public storage::executor {
public:
  bool reachable = true;
  int connects = 0;
  bool open = false;

  std::optional<failure> connect() override {
    ++connects;
    open = reachable;
    if (!reachable)
      return failure::of(error_code::unavailable, "refused");
    return std::nullopt;
  }
  bool connected() const override { return open; }
  outcome<storage::row_set> run(const storage::db_call& call) override {
    if (call.op == "conflict")
      return failure::of(error_code::email_taken);
    return storage::row_set{{"op"}, {{storage::cell::of(call.op)}}, 0};
  }
  void disconnect() override { open = false; }
};

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<scripted_executor> exec =
      std::make_shared<scripted_executor>();
  db_worker_actor worker = sys.spawn(db_worker, exec);
  ~fixture() { self->send_exit(worker, caf::exit_reason::user_shutdown); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(db_worker_tests, fixture)

CAF_TEST(worker_connects_once_and_then_only_confirms) {
  request<caf::ok_atom>(worker, connect_atom::value);
  request<caf::ok_atom>(worker, connect_atom::value);
  CAF_CHECK_EQUAL(exec->connects, 1);
}

CAF_TEST(worker_reports_a_refused_connection_as_unavailable) {
  exec->reachable = false;
  auto pending = self->request(worker, caf::infinite, connect_atom::value);
  run();
  pending.receive([](caf::ok_atom) { CAF_FAIL("connect should fail"); },
                  [](caf::error& err) {
                    CAF_CHECK(to_failure(err).code == error_code::unavailable);
                  });
}

CAF_TEST(worker_returns_rows_and_domain_failures) {
  auto rows = request<storage::row_set>(worker, query_atom::value,
                                        storage::db_call{"users.get", {}});
  CAF_CHECK_EQUAL(rows.rows.at(0).at(0).text, "users.get");
  auto pending = self->request(worker, caf::infinite, query_atom::value,
                               storage::db_call{"conflict", {}});
  run();
  pending.receive([](storage::row_set&) { CAF_FAIL("expected a failure"); },
                  [](caf::error& err) {
                    CAF_CHECK(to_failure(err).code == error_code::email_taken);
                  });
}

CAF_TEST_FIXTURE_SCOPE_END()
