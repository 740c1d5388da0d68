// Rate limits of the real binary (api.md sections 2 and 5): the auth policy
// per client IP; the messages, activity, reviews and default policies per
// user; the RateLimit-* headers on every limited answer, 429 with
// Retry-After, a refused request changing nothing, X-Forwarded-For believed
// only from a trusted proxy, the switch that turns limiting off, and
// GET /admin/ratelimits. Each test starts its own numina on its own
// database, with the limits it needs.
#define CAF_SUITE e2e_rate_limit
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/api_support.hpp"
#include "tests/support/scratch_db.hpp"

using namespace numina::e2e;

namespace {

const std::string login_path = "/api/v1/auth/login";
const std::string me_path = "/api/v1/users/me";

struct fixture {
  numina::testing::scratch_db db;
  std::optional<node> numina;
  std::optional<api_client> api;

  // Starts numina with cheap hashing, limits on, and `args`.
  void start(std::vector<std::string> args = {}) {
    std::vector<std::string> all{"--auth.hash_ops=1",
                                 "--auth.hash_memory=8KiB"};
    all.insert(all.end(), args.begin(), args.end());
    numina.emplace(db.url(), std::move(all));
    api.emplace(numina->port());
  }

  // A login that fails (unknown user), optionally "from" an address.
  std::optional<http_response> login(std::string forwarded_for = {}) {
    header_list headers;
    if (!forwarded_for.empty())
      headers.emplace_back("X-Forwarded-For", forwarded_for);
    return api->post(login_path, {},
                     json_object{}
                         .set("email", "nobody@example.com")
                         .set("password", "wrong password")
                         .str(),
                     headers);
  }

  json_value rate_limits() {
    auto res = api->get("/admin/ratelimits", admin_token);
    CAF_CHECK_EQUAL(status_of(res), 200);
    CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
    return body_of(res);
  }
};

int header_int(const std::optional<http_response>& res, std::string_view name) {
  auto text = header_of(res, name);
  return text.empty() ? -1 : std::stoi(text);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_rate_limit_tests, fixture)

CAF_TEST(the sixth auth request within a minute from one ip answers 429) {
  start();
  for (int i = 0; i < 5; ++i) {
    auto res = login();
    // Counted, then refused by the handler: the headers are there anyway.
    CAF_CHECK_EQUAL(error_mismatch(res, 401, "invalid_credentials"), "");
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "5");
    CAF_CHECK_EQUAL(header_int(res, "ratelimit-remaining"), 4 - i);
    if (i < 4)
      CAF_CHECK_EQUAL(header_of(res, "ratelimit-reset"), "0");
    else // full: the first request leaves the window within a minute
      CAF_CHECK(header_int(res, "ratelimit-reset") >= 1 &&
                header_int(res, "ratelimit-reset") <= 60);
  }
  auto res = login();
  CAF_CHECK_EQUAL(error_mismatch(res, 429, "rate_limited"), "");
  CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "5");
  CAF_CHECK_EQUAL(header_of(res, "ratelimit-remaining"), "0");
  auto retry = header_int(res, "retry-after");
  CAF_CHECK(retry >= 1 && retry <= 60);
  CAF_CHECK_EQUAL(header_int(res, "ratelimit-reset"), retry);
  // Health is not limited.
  auto live = api->get("/health/live", {});
  CAF_CHECK_EQUAL(header_of(live, "ratelimit-limit"), "");
}

CAF_TEST(a refused register stores nothing) {
  // Our own address is a trusted proxy here, so the test can speak for
  // two clients.
  start({"--http.trusted_proxies=127.0.0.1"});
  const auto a = "198.51.100.1";
  for (int i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(status_of(login(a)), 401);
  const auto email = unique_email("refused");
  auto body = json_object{}
                  .set("email", email)
                  .set("password", test_password)
                  .set("name", "Refused")
                  .str();
  auto refused =
      api->post("/api/v1/auth/register", {}, body, {{"X-Forwarded-For", a}});
  CAF_CHECK_EQUAL(error_mismatch(refused, 429, "rate_limited"), "");
  // From another client: the email is free and the user never existed.
  header_list b{{"X-Forwarded-For", "198.51.100.2"}};
  auto login_b = api->post(
      login_path, {},
      json_object{}.set("email", email).set("password", test_password).str(),
      b);
  CAF_CHECK_EQUAL(error_mismatch(login_b, 401, "invalid_credentials"), "");
  CAF_CHECK_EQUAL(header_of(login_b, "ratelimit-remaining"), "4");
  CAF_CHECK_EQUAL(status_of(api->post("/api/v1/auth/register", {}, body, b)),
                  201);
}

CAF_TEST(
    the default policy counts per user and a refused patch changes nothing) {
  start({"--rate_limit.default_limit=3"});
  auto ann = api->register_user("Ann");
  auto bob = api->register_user("Bob");
  for (int i = 0; i < 3; ++i) {
    auto res = api->get(me_path, ann.token);
    CAF_CHECK_EQUAL(status_of(res), 200);
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "3");
    CAF_CHECK_EQUAL(header_int(res, "ratelimit-remaining"), 2 - i);
  }
  auto refused = api->patch(me_path, ann.token,
                            json_object{}.set("name", "Mallory").str());
  CAF_CHECK_EQUAL(error_mismatch(refused, 429, "rate_limited"), "");
  CAF_CHECK(header_int(refused, "retry-after") >= 1);
  // Bob has a budget of his own, and sees Ann unchanged.
  auto profile = api->get(user_path(ann.id), bob.token);
  CAF_CHECK_EQUAL(status_of(profile), 200);
  CAF_CHECK_EQUAL(header_of(profile, "ratelimit-remaining"), "2");
  CAF_CHECK_EQUAL(body_of(profile)["name"].text(), "Ann");
}

CAF_TEST(the twenty first message within a minute answers 429 and
         stores nothing) {
  start();
  auto ann = api->register_user("Ann");
  auto bob = api->register_user("Bob");
  auto message = [&](const std::string& text) {
    return api->post(
        "/api/v1/messages/send", ann.token,
        json_object{}.set("to_user_id", bob.id).set("text", text).str());
  };
  int64_t conversation = 0;
  for (int i = 0; i < 20; ++i) {
    auto res = message("hello " + std::to_string(i));
    CAF_CHECK_EQUAL(status_of(res), 201);
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "20");
    CAF_CHECK_EQUAL(header_int(res, "ratelimit-remaining"), 19 - i);
    conversation = body_of(res)["conversation_id"].integer();
  }
  auto refused = message("one too many");
  CAF_CHECK_EQUAL(error_mismatch(refused, 429, "rate_limited"), "");
  CAF_CHECK(header_int(refused, "retry-after") >= 1);
  // Bob reads the conversation (his default budget): twenty messages.
  auto list = api->get("/api/v1/messages/conversations/" +
                           std::to_string(conversation) + "?limit=100",
                       bob.token);
  CAF_CHECK_EQUAL(status_of(list), 200);
  CAF_CHECK_EQUAL(body_of(list)["items"].size(), 20u);
  CAF_CHECK(list && list->body.find("one too many") == std::string::npos);
}

CAF_TEST(the eleventh activity within a minute answers 429 and stores nothing) {
  start();
  auto ann = api->register_user("Ann");
  auto post = [&](const std::string& text) {
    return api->post("/api/v1/social/activity", ann.token,
                     json_object{}.set("kind", "post").set("text", text).str());
  };
  for (int i = 0; i < 10; ++i) {
    auto res = post("run " + std::to_string(i));
    CAF_CHECK_EQUAL(status_of(res), 201);
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "10");
    CAF_CHECK_EQUAL(header_int(res, "ratelimit-remaining"), 9 - i);
  }
  CAF_CHECK_EQUAL(error_mismatch(post("one too many"), 429, "rate_limited"),
                  "");
  // The feed shows the caller's own activities once the feed job ran.
  CAF_CHECK_EQUAL(
      status_of(api->post("/admin/jobs/feed/run", admin_token, "{}")), 200);
  auto feed = api->get("/api/v1/social/feed?limit=100", ann.token);
  CAF_CHECK_EQUAL(status_of(feed), 200);
  CAF_CHECK_EQUAL(body_of(feed)["items"].size(), 10u);
  CAF_CHECK(feed && feed->body.find("one too many") == std::string::npos);
}

CAF_TEST(the sixth review within an hour answers 429 and stores nothing) {
  start();
  auto ann = api->register_user("Ann");
  std::vector<int64_t> classes;
  for (int i = 0; i < 6; ++i)
    classes.push_back(api->create_class(ann, class_body()));
  auto review = [&](int64_t class_id) {
    return api->post(class_path(class_id) + "/reviews", ann.token,
                     json_object{}.set("rating", 5).set("text", "good").str());
  };
  for (int i = 0; i < 5; ++i) {
    auto res = review(classes[static_cast<size_t>(i)]);
    CAF_CHECK_EQUAL(status_of(res), 201);
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "5");
    CAF_CHECK_EQUAL(header_int(res, "ratelimit-remaining"), 4 - i);
  }
  auto refused = review(classes[5]);
  CAF_CHECK_EQUAL(error_mismatch(refused, 429, "rate_limited"), "");
  // The window is an hour: the first review leaves it in 3600 s at most.
  auto retry = header_int(refused, "retry-after");
  CAF_CHECK(retry > 3500 && retry <= 3600);
  auto list = api->get(class_path(classes[5]) + "/reviews", ann.token);
  CAF_CHECK_EQUAL(status_of(list), 200);
  CAF_CHECK_EQUAL(body_of(list)["items"].size(), 0u);
}

CAF_TEST(a forged x forwarded for from an untrusted peer does not change the key) {
  start();
  for (int i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(status_of(login("203.0.113." + std::to_string(i + 1))),
                    401);
  CAF_CHECK_EQUAL(error_mismatch(login("203.0.113.99"), 429, "rate_limited"),
                  "");
}

CAF_TEST(a trusted proxy names the client in x forwarded for) {
  start({"--http.trusted_proxies=127.0.0.1"});
  for (int i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(status_of(login("6.6.6.6, 198.51.100.7")), 401);
  // The client wrote 6.6.6.6 itself; the proxy appended the real address.
  CAF_CHECK_EQUAL(status_of(login("7.7.7.7, 198.51.100.7")), 429);
  auto other = login("198.51.100.8");
  CAF_CHECK_EQUAL(status_of(other), 401);
  CAF_CHECK_EQUAL(header_of(other, "ratelimit-remaining"), "4");
}

CAF_TEST(limiting switched off answers no 429 and no headers) {
  start({"--rate_limit.enabled=false"});
  for (int i = 0; i < 8; ++i) {
    auto res = login();
    CAF_CHECK_EQUAL(status_of(res), 401);
    CAF_CHECK_EQUAL(header_of(res, "ratelimit-limit"), "");
  }
  CAF_CHECK_EQUAL(rate_limits()["enabled"].dump(), "false");
}

CAF_TEST(admin ratelimits shows live limiters and counts per policy) {
  start({"--rate_limit.auth_limit=2"});
  CAF_CHECK_EQUAL(status_of(api->get("/admin/ratelimits", {})), 401);
  for (int i = 0; i < 3; ++i)
    login();
  auto doc = rate_limits();
  CAF_CHECK_EQUAL(doc["enabled"].dump(), "true");
  auto& auth = doc["policies"]["auth"];
  CAF_CHECK_EQUAL(auth["limit"].integer(), 2);
  CAF_CHECK_EQUAL(auth["window_seconds"].integer(), 60);
  CAF_CHECK_EQUAL(auth["live"].integer(), 1);
  CAF_CHECK_EQUAL(auth["allowed"].integer(), 2);
  CAF_CHECK_EQUAL(auth["rejected"].integer(), 1);
  auto& fallback = doc["policies"]["default"];
  CAF_CHECK_EQUAL(fallback["limit"].integer(), 100);
  CAF_CHECK_EQUAL(fallback["live"].integer(), 0);
  CAF_CHECK_EQUAL(sorted_keys(doc["policies"]),
                  "activity,auth,default,messages,reviews");
}

CAF_TEST_FIXTURE_SCOPE_END()
