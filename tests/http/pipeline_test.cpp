// The order in which a request is judged, with a gateway that records what
// reaches the actor side.
#define CAF_SUITE pipeline
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "http/pipeline.hpp"

using namespace numina;
using namespace numina::http;

namespace {

struct recording_gateway : actors::gateway {
  int queries = 0;
  void query(storage::db_call, rows_done done) override {
    ++queries;
    done(storage::row_set{});
  }
  void pool_stats(pool_done done) override { done(actors::pool_snapshot{}); }
  void hash_password(std::string, text_done done) override {
    done(failure::of(error_code::unavailable));
  }
  void verify_password(std::string, std::string, check_done done) override {
    done(false);
  }
};

int handled = 0;
void count_and_answer(const exchange_ptr& ex) {
  ++handled;
  ex->respond(json_response("{}"));
}

struct fixture {
  config::settings settings;
  recording_gateway gate;
  services svc{with_token(settings), gate};
  router routes;
  response last;

  static config::settings& with_token(config::settings& s) {
    s.admin.token = "admin-secret";
    return s;
  }

  fixture() {
    handled = 0;
    routes.add("GET", "/admin/x", auth_kind::admin, count_and_answer);
    routes.add("POST", "/admin/x/{id}", auth_kind::admin, count_and_answer);
    routes.add("GET", "/open", auth_kind::none, count_and_answer);
  }

  unsigned run(request req) {
    auto ex = std::make_shared<exchange>(
        std::move(req), svc, [](std::function<void()> f) { f(); },
        [this](response r) { last = std::move(r); });
    run_pipeline(routes, ex);
    return last.status;
  }

  static request make(std::string method, std::string path,
                      header_list headers = {}, std::string body = {}) {
    request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.headers = std::move(headers);
    r.has_body = !body.empty();
    r.body = std::move(body);
    return r;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(pipeline_tests, fixture)

CAF_TEST(route is judged before authentication) {
  CAF_CHECK_EQUAL(run(make("GET", "/admin/none")), 404u);
  CAF_CHECK_EQUAL(run(make("DELETE", "/admin/x")), 405u);
  CAF_CHECK_EQUAL(handled, 0);
}

CAF_TEST(authentication is judged before content type and ids) {
  auto req =
      make("POST", "/admin/x/abc", {{"content-type", "text/plain"}}, "hello");
  CAF_CHECK_EQUAL(run(req), 401u);
  CAF_CHECK(last.body.find("unauthorized") != std::string::npos);
}

CAF_TEST(content type is judged before ids) {
  auto req = make("POST", "/admin/x/abc",
                  {{"authorization", "Bearer admin-secret"},
                   {"content-type", "text/plain"}},
                  "hello");
  CAF_CHECK_EQUAL(run(req), 415u);
  req = make("POST", "/admin/x/abc",
             {{"authorization", "Bearer admin-secret"},
              {"content-type", "application/json"},
              {"content-encoding", "gzip"}},
             "{}");
  CAF_CHECK_EQUAL(run(req), 415u);
}

CAF_TEST(a bad path id is a validation failure naming id) {
  for (auto id : {"abc", "0", "-1", "1.5", "9223372036854775808", "01x"}) {
    auto req = make("POST", std::string{"/admin/x/"} + id,
                    {{"authorization", "bearer admin-secret"},
                     {"content-type", "application/json; charset=utf-8"}},
                    "{}");
    CAF_CHECK_EQUAL(run(req), 400u);
    CAF_CHECK(last.body.find(R"("field":"id")") != std::string::npos);
  }
  CAF_CHECK_EQUAL(handled, 0);
  auto ok = make("POST", "/admin/x/9223372036854775807",
                 {{"authorization", "Bearer admin-secret"},
                  {"content-type", "application/json"}},
                 "{}");
  CAF_CHECK_EQUAL(run(ok), 200u);
  CAF_CHECK_EQUAL(handled, 1);
}

CAF_TEST(the admin token is checked exactly) {
  CAF_CHECK_EQUAL(
      run(make("GET", "/admin/x", {{"authorization", "Bearer admin-secre"}})),
      401u);
  CAF_CHECK_EQUAL(
      run(make("GET", "/admin/x", {{"authorization", "Basic admin-secret"}})),
      401u);
  CAF_CHECK_EQUAL(
      run(make("GET", "/admin/x", {{"authorization", "Bearer admin-secret"}})),
      200u);
}

CAF_TEST(a body without content type is refused) {
  CAF_CHECK_EQUAL(run(make("GET", "/open", {}, "x")), 415u);
  CAF_CHECK_EQUAL(run(make("GET", "/open")), 200u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(parse id accepts only positive 64 bit decimals) {
  CAF_CHECK_EQUAL(parse_id("1"), 1);
  CAF_CHECK_EQUAL(parse_id("9223372036854775807"), 9223372036854775807);
  CAF_CHECK(!parse_id(""));
  CAF_CHECK(!parse_id("+1"));
  CAF_CHECK(!parse_id("0"));
  CAF_CHECK(!parse_id("00000000000000000001")); // 20 chars
  CAF_CHECK(!parse_id("9223372036854775808"));
}
