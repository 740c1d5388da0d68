// Operations endpoints of the real binary (api.md section 4): liveness,
// readiness and /health, also while PostgreSQL is down and after it
// returns, and the admin token on /admin/db. The database-down tests run
// numina on a private cluster they can stop and start.
#define CAF_SUITE e2e_health
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <optional>
#include <string>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/scratch_db.hpp"

using namespace numina::e2e;

namespace {

struct fixture {
  numina::testing::scratch_db db;
  node numina{db.url()};
  http_client client;

  fixture() { connect_or_fail(client, numina.port()); }
};

// numina on a PostgreSQL cluster of its own, which the test stops and
// starts.
struct private_cluster_fixture {
  numina::testing::pg_server pg;
  node numina{pg.url()};
  http_client client;

  private_cluster_fixture() { connect_or_fail(client, numina.port()); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_health_tests, fixture)

CAF_TEST(live answers 200 and is never cached) {
  auto res = client.request("GET", "/health/live");
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
}

CAF_TEST(ready answers 200 once the database is migrated) {
  auto res = client.request("GET", "/health/ready");
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
}

CAF_TEST(health answers ok with its checks while the database is up) {
  auto res = client.request("GET", "/health");
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(json_string_at(res->body, "/status").value_or("?"), "ok");
  CAF_CHECK_EQUAL(
      json_string_at(res->body, "/checks/database/status").value_or("?"), "ok");
  CAF_CHECK(json_string_at(res->body, "/checks/cache/status").has_value());
  CAF_CHECK(json_string_at(res->body, "/checks/cluster/status").has_value());
}

CAF_TEST(admin db without a token answers 401 unauthorized) {
  auto res = client.request("GET", "/admin/db");
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
  CAF_CHECK(answers_a_good_request(numina.port()));
}

CAF_TEST(admin db with a wrong token answers 401 unauthorized) {
  auto res = client.request(
      "GET", "/admin/db",
      {{"Authorization", "Bearer " + std::string{admin_token} + "x"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
  CAF_CHECK(answers_a_good_request(numina.port()));
}

CAF_TEST(admin db with the admin token answers the pool counts) {
  auto res =
      client.request("GET", "/admin/db",
                     {{"Authorization", "Bearer " + std::string{admin_token}}});
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(header_of(res, "content-type").rfind("application/json", 0),
                  0u);
  std::string not_numbers;
  for (const char* field :
       {"/size", "/idle", "/busy", "/waiting", "/queries", "/errors"})
    if (!json_number_at(res->body, field))
      not_numbers += field;
  CAF_CHECK_EQUAL(not_numbers, "");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(e2e_health_database_down_tests, private_cluster_fixture)

CAF_TEST(ready answers 503 unavailable with a retry hint
             quickly while the database is down) {
  pg.stop();
  const auto asked = std::chrono::steady_clock::now();
  auto res = client.request("GET", "/health/ready", {}, {}, 10s);
  CAF_CHECK_LESS(elapsed_ms(asked), 3000);
  CAF_CHECK_EQUAL(error_mismatch(res, 503, "unavailable"), "");
  CAF_CHECK(!header_of(res, "retry-after").empty());
  CAF_CHECK(answers_a_good_request(numina.port()));
}

CAF_TEST(health answers 503 degraded with the database down) {
  pg.stop();
  const auto asked = std::chrono::steady_clock::now();
  auto res = client.request("GET", "/health", {}, {}, 10s);
  CAF_CHECK_LESS(elapsed_ms(asked), 3000);
  CAF_REQUIRE_EQUAL(status_of(res), 503);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  // Its own document, not the error shape.
  CAF_CHECK_EQUAL(json_string_at(res->body, "/status").value_or("?"),
                  "degraded");
  CAF_CHECK_EQUAL(
      json_string_at(res->body, "/checks/database/status").value_or("?"),
      "down");
}

CAF_TEST(ready recovers without a restart once the database returns) {
  pg.stop();
  auto down = client.request("GET", "/health/ready", {}, {}, 10s);
  CAF_CHECK_EQUAL(status_of(down), 503);
  pg.start();
  CAF_CHECK(numina.await_ready(10s));
  CAF_CHECK(numina.process().running());
}

CAF_TEST_FIXTURE_SCOPE_END()
