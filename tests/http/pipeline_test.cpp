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
  void cached(actors::cache_read, actors::cache_done done) override {
    done(actors::cache_answer{nullptr, false,
                              failure::of(error_code::unavailable)});
  }
  actors::entry_ptr cached_fresh(const std::string&, bool) override {
    return nullptr;
  }
  void invalidate(std::vector<std::string>, std::vector<std::string>,
                  count_done done) override {
    done(uint64_t{0});
  }
  void cache_stats(cache_stats_done done) override {
    done(std::vector<actors::cache_shard_stats>{});
  }
  void job_records(records_done done) override {
    done(std::vector<actors::job_record>{});
  }
  void run_job(std::string, record_done done) override {
    done(failure::of(error_code::not_found));
  }
  // The checks that reached the limiter, and what it answers.
  std::vector<actors::rate_check> rate_checks;
  actors::rate_verdict verdict{true, 10, 9, 0, 0};
  void check_rate(actors::rate_policy_id policy, std::string key,
                  rate_done done) override {
    rate_checks.push_back({policy, std::move(key)});
    done(verdict);
  }
  void rate_limit_stats(rate_stats_done done) override {
    done(actors::rate_limit_snapshot{});
  }
};

std::string header_of(const response& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (k == name)
      return v;
  return "<none>";
}

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

CAF_TEST(the rate limit is judged after authentication and before content) {
  routes.add("POST", "/api/v1/open", auth_kind::none, count_and_answer);
  gate.verdict = actors::rate_verdict{false, 5, 0, 42, 42};
  auto req =
      make("POST", "/api/v1/open", {{"content-type", "text/plain"}}, "hello");
  req.peer_ip = "192.0.2.7";
  CAF_CHECK_EQUAL(run(req), 429u);
  CAF_CHECK(last.body.find("rate_limited") != std::string::npos);
  CAF_CHECK_EQUAL(header_of(last, "Retry-After"), "42");
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Limit"), "5");
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Remaining"), "0");
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Reset"), "42");
  CAF_CHECK_EQUAL(handled, 0);
  // Routing comes first: an unknown path never reaches the limiter.
  CAF_CHECK_EQUAL(run(make("GET", "/api/v1/nothing")), 404u);
  CAF_CHECK_EQUAL(gate.rate_checks.size(), 1u);
}

CAF_TEST(a request that passes the limit carries its headers on any answer) {
  routes.add("POST", "/api/v1/open", auth_kind::none, count_and_answer);
  auto req =
      make("POST", "/api/v1/open", {{"content-type", "text/plain"}}, "hello");
  CAF_CHECK_EQUAL(run(req), 415u); // counted, then refused by a later step
  CAF_CHECK_EQUAL(gate.rate_checks.size(), 1u);
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Limit"), "10");
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Remaining"), "9");
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Reset"), "0");
  CAF_CHECK_EQUAL(header_of(last, "Retry-After"), "<none>");
  CAF_CHECK_EQUAL(run(make("POST", "/api/v1/open", {}, "")), 200u);
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Remaining"), "9");
}

CAF_TEST(health admin and metrics routes are not limited) {
  CAF_CHECK_EQUAL(run(make("GET", "/open")), 200u);
  CAF_CHECK_EQUAL(
      run(make("GET", "/admin/x", {{"authorization", "Bearer admin-secret"}})),
      200u);
  CAF_CHECK(gate.rate_checks.empty());
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Limit"), "<none>");
}

CAF_TEST(limiting switched off checks nothing) {
  settings.rate_limit.enabled = false;
  routes.add("GET", "/api/v1/open", auth_kind::none, count_and_answer);
  gate.verdict.allowed = false;
  CAF_CHECK_EQUAL(run(make("GET", "/api/v1/open")), 200u);
  CAF_CHECK(gate.rate_checks.empty());
  CAF_CHECK_EQUAL(header_of(last, "RateLimit-Limit"), "<none>");
}

CAF_TEST(anonymous requests are keyed by the client ip the proxies vouch for) {
  routes.add("POST", "/api/v1/auth/login", auth_kind::none, count_and_answer);
  auto req = make("POST", "/api/v1/auth/login",
                  {{"x-forwarded-for", "198.51.100.1"}}, "");
  req.peer_ip = "203.0.113.9";
  run(req); // the peer is no proxy of ours: the header is ignored
  settings.http.trusted_proxies = {"203.0.113.0/24"};
  run(req);
  CAF_REQUIRE_EQUAL(gate.rate_checks.size(), 2u);
  CAF_CHECK_EQUAL(gate.rate_checks[0].key, "ip:203.0.113.9");
  CAF_CHECK_EQUAL(gate.rate_checks[1].key, "ip:198.51.100.1");
  CAF_CHECK(gate.rate_checks[0].policy == actors::rate_policy_id::auth);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(every api route maps to exactly the contract policy) {
  using actors::rate_policy_id;
  auto policy = [](std::string_view method, std::string_view pattern) {
    auto p = rate_policy_for(method, pattern);
    return p ? std::string{actors::name_of(*p)} : std::string{"none"};
  };
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/auth/register"), "auth");
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/auth/login"), "auth");
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/auth/logout"), "auth");
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/messages/send"), "messages");
  CAF_CHECK_EQUAL(policy("GET", "/api/v1/messages/conversations"), "default");
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/social/activity"), "activity");
  CAF_CHECK_EQUAL(policy("GET", "/api/v1/social/feed"), "default");
  CAF_CHECK_EQUAL(policy("POST", "/api/v1/classes/{id}/reviews"), "reviews");
  CAF_CHECK_EQUAL(policy("GET", "/api/v1/classes/{id}/reviews"), "default");
  CAF_CHECK_EQUAL(policy("GET", "/api/v1/users/me"), "default");
  CAF_CHECK_EQUAL(policy("GET", "/health"), "none");
  CAF_CHECK_EQUAL(policy("GET", "/admin/ratelimits"), "none");
  CAF_CHECK_EQUAL(policy("GET", "/metrics"), "none");
  // The router fills it in for every route it is given.
  router r;
  r.add("POST", "/api/v1/social/activity", auth_kind::user, nullptr);
  r.add("GET", "/health/live", auth_kind::none, nullptr);
  CAF_CHECK(r.routes()[0].rate_policy == rate_policy_id::activity);
  CAF_CHECK(!r.routes()[1].rate_policy);
}

CAF_TEST(parse id accepts only positive 64 bit decimals) {
  CAF_CHECK_EQUAL(parse_id("1"), 1);
  CAF_CHECK_EQUAL(parse_id("9223372036854775807"), 9223372036854775807);
  CAF_CHECK(!parse_id(""));
  CAF_CHECK(!parse_id("+1"));
  CAF_CHECK(!parse_id("0"));
  CAF_CHECK(!parse_id("00000000000000000001")); // 20 chars
  CAF_CHECK(!parse_id("9223372036854775808"));
}
