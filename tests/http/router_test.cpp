#define CAF_SUITE router
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "http/router.hpp"

using namespace numina::http;

namespace {

void noop(const exchange_ptr&) {}

router sample() {
  router r;
  r.add("GET", "/api/v1/classes", auth_kind::user, noop);
  r.add("POST", "/api/v1/classes", auth_kind::user, noop);
  r.add("GET", "/api/v1/classes/{id}", auth_kind::user, noop);
  r.add("PATCH", "/api/v1/classes/{id}", auth_kind::user, noop);
  r.add("GET", "/api/v1/users/me", auth_kind::user, noop);
  r.add("GET", "/api/v1/users/{id}", auth_kind::user, noop);
  return r;
}

} // namespace

CAF_TEST(a literal path matches its route) {
  auto r = sample();
  auto m = r.match("POST", "/api/v1/classes");
  CAF_REQUIRE(m.found != nullptr);
  CAF_CHECK_EQUAL(m.found->pattern, "/api/v1/classes");
  CAF_CHECK(m.params.empty());
}

CAF_TEST(parameters are captured by name) {
  auto r = sample();
  auto m = r.match("GET", "/api/v1/classes/42");
  CAF_REQUIRE(m.found != nullptr);
  CAF_REQUIRE_EQUAL(m.params.size(), 1u);
  CAF_CHECK_EQUAL(m.params[0].first, "id");
  CAF_CHECK_EQUAL(m.params[0].second, "42");
}

CAF_TEST(the first registered route wins over a parameter) {
  auto r = sample();
  auto m = r.match("GET", "/api/v1/users/me");
  CAF_REQUIRE(m.found != nullptr);
  CAF_CHECK_EQUAL(m.found->pattern, "/api/v1/users/me");
}

CAF_TEST(unknown paths have no allow list) {
  auto r = sample();
  for (auto path :
       {"/api/v1/nope", "/api/v1/classes/1/x", "/", "", "/api/v1/classes/"}) {
    auto m = r.match("GET", path);
    CAF_CHECK(m.found == nullptr);
    CAF_CHECK_EQUAL(m.allow, "");
  }
}

CAF_TEST(a known path with another method lists the allowed ones) {
  auto r = sample();
  auto m = r.match("DELETE", "/api/v1/classes/7");
  CAF_CHECK(m.found == nullptr);
  CAF_CHECK_EQUAL(m.allow, "GET, HEAD, PATCH");
}
