// The background jobs as operators see them: /admin/jobs and running a job
// on demand.
#define CAF_SUITE e2e_jobs
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "tests/e2e/api_support.hpp"
#include "tests/support/scratch_db.hpp"

using namespace numina::e2e;

namespace {

constexpr std::string_view admin = "e2e-jobs-admin";

struct fixture {
  numina::testing::scratch_db db;
  node numina{
      db.url(), api_args(), {{"NUMINA_ADMIN_TOKEN", std::string{admin}}}};
  http_client client;
  header_list auth{{"Authorization", "Bearer " + std::string{admin}}};

  fixture() { connect_or_fail(client, numina.port()); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_jobs_tests, fixture)

CAF_TEST(the job list names every job with its schedule) {
  auto res = client.request("GET", "/admin/jobs", auth);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = json_value::parse(res->body);
  bool found = false;
  for (auto& job : doc["jobs"].items()) {
    if (job["name"].text() != "idempotency")
      continue;
    found = true;
    CAF_CHECK_EQUAL(job["interval_s"].integer(), 600);
    CAF_CHECK_EQUAL(job["outcome"].text(), "never");
    CAF_CHECK(job["last_run"].is_null());
    CAF_CHECK(is_utc_timestamp(job["next_run"].text()));
  }
  CAF_CHECK(found);
}

CAF_TEST(running a job answers its record once it finished) {
  auto res = client.request("POST", "/admin/jobs/idempotency/run", auth);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  auto rec = json_value::parse(res->body);
  CAF_CHECK_EQUAL(rec["name"].text(), "idempotency");
  CAF_CHECK_EQUAL(rec["outcome"].text(), "ok");
  CAF_CHECK_EQUAL(rec["runs"].integer(), 1);
  CAF_CHECK_EQUAL(rec["running"].boolean(), false);
  CAF_CHECK(is_utc_timestamp(rec["last_run"].text()));
  auto list =
      json_value::parse(client.request("GET", "/admin/jobs", auth)->body);
  for (auto& job : list["jobs"].items())
    if (job["name"].text() == "idempotency")
      CAF_CHECK_EQUAL(job["runs"].integer(), 1);
}

CAF_TEST(an unknown job is not found) {
  auto res = client.request("POST", "/admin/jobs/nope/run", auth);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(jobs need the admin token) {
  auto res = client.request("POST", "/admin/jobs/idempotency/run");
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
  auto list =
      client.request("GET", "/admin/jobs", {{"Authorization", "Bearer wrong"}});
  CAF_CHECK_EQUAL(error_mismatch(list, 401, "unauthorized"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
