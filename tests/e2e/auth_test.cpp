// Register, login and logout of the real binary (api.md section 3, Auth, and
// section 5, Resources), and the bearer token on every protected endpoint.
// The tests share the suite's numina; each registers users of its own.
#define CAF_SUITE e2e_auth
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <cctype>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_support.hpp"

using namespace numina::e2e;

namespace {

// Two bytes, three bytes and four bytes of UTF-8: one code point each.
constexpr std::string_view e_acute = "\xc3\xa9";
constexpr std::string_view kanji = "\xe6\xbc\xa2";
constexpr std::string_view muscle = "\xf0\x9f\x92\xaa";

const std::string register_path = "/api/v1/auth/register";
const std::string login_path = "/api/v1/auth/login";
const std::string logout_path = "/api/v1/auth/logout";

struct fixture : api_fixture {
  // A register body with valid values, for one member to be changed.
  json_object valid_registration() {
    return json_object{}
        .set("email", unique_email())
        .set("password", test_password)
        .set("name", "Ann");
  }

  std::optional<http_response> register_with(const json_object& body) {
    return api.post(register_path, {}, body.str());
  }

  std::optional<http_response> login(std::string_view email,
                                     std::string_view password) {
    return api.post(
        login_path, {},
        json_object{}.set("email", email).set("password", password).str());
  }
};

// `email` with the case of its letters flipped where the bits of `pattern`
// say so (letter j follows bit j % 5).
std::string case_variant(const std::string& email, unsigned pattern) {
  std::string out = email;
  size_t letter = 0;
  for (auto& c : out) {
    if (!std::isalpha(static_cast<unsigned char>(c)))
      continue;
    if (pattern & (1u << (letter++ % 5)))
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// A unique address of `length` characters (190..300) that is otherwise as
// plain as can be: a local part of 64 characters and domain labels of at
// most 63.
std::string email_of(size_t length) {
  auto local = unique_email("long");
  local = local.substr(0, local.find('@')) + "-";
  local += repeat('a', 64 - local.size());
  const size_t last_label = length - 64 - 1 - 64 - 64 - 4;
  return local + "@" + repeat('b', 63) + "." + repeat('c', 63) + "." +
         repeat('d', last_label) + ".com";
}

struct endpoint {
  std::string method;
  std::string path;
  std::optional<std::string> body;
};

// Every protected endpoint of this release, with a body where it takes one.
std::vector<endpoint> protected_endpoints() {
  return {{"GET", "/api/v1/users/me", std::nullopt},
          {"PATCH", "/api/v1/users/me", R"({"name":"X"})"},
          {"GET", "/api/v1/users/1", std::nullopt},
          {"GET", "/api/v1/users/1/followers", std::nullopt},
          {"GET", "/api/v1/users/1/following", std::nullopt},
          {"GET", "/api/v1/users/me/bookings", std::nullopt},
          {"GET", "/api/v1/classes", std::nullopt},
          {"POST", "/api/v1/classes", class_body().str()},
          {"GET", "/api/v1/classes/1", std::nullopt},
          {"PATCH", "/api/v1/classes/1", R"({"title":"X"})"},
          {"POST", "/api/v1/classes/1/bookings", std::nullopt},
          {"DELETE", "/api/v1/bookings/1", std::nullopt},
          {"POST", "/api/v1/auth/logout", std::nullopt}};
}

// "" when every protected endpoint answers 401 unauthorized to a request
// with these extra headers; else what differs, endpoint by endpoint.
std::string unauthorized_everywhere(api_client& api,
                                    const header_list& headers) {
  std::string out;
  for (auto& e : protected_endpoints()) {
    auto res = api.send(e.method, e.path, {}, e.body, headers);
    auto mismatch = error_mismatch(res, 401, "unauthorized");
    if (!mismatch.empty())
      out += e.method + " " + e.path + ": " + mismatch + "\n";
  }
  return out;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_auth_tests, fixture)

// -- register -----------------------------------------------------------------

CAF_TEST(register answers 201 with a token and the own user object) {
  const auto email = unique_email();
  auto res = api.register_as(email, test_password, "Ann Example");
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "token,user");
  CAF_CHECK(doc["token"].is_string());
  CAF_CHECK_GREATER_OR_EQUAL(doc["token"].text().size(), 16u);
  auto& user = doc["user"];
  CAF_CHECK_EQUAL(sorted_keys(user), "bio,created_at,email,id,name,updated_at");
  CAF_CHECK(user["id"].is_integer());
  CAF_CHECK_GREATER(user["id"].integer(), 0);
  CAF_CHECK_EQUAL(user["email"].text(), email);
  CAF_CHECK_EQUAL(user["name"].text(), "Ann Example");
  CAF_CHECK_EQUAL(user["bio"].dump(), "\"\"");
  CAF_CHECK(is_utc_timestamp(user["created_at"].text()));
  CAF_CHECK(is_utc_timestamp(user["updated_at"].text()));
}

CAF_TEST(register keeps the email as given) {
  const auto email = "Mixed.Case-" + unique_email("Ann");
  auto res = api.register_as(email, test_password, "Ann");
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["user"]["email"].text(), email);
}

CAF_TEST(the token from register authenticates at once) {
  auto res = api.register_as(unique_email(), test_password, "Ann");
  auto doc = body_of(res);
  auto me = api.get_json("/api/v1/users/me", doc["token"].text());
  CAF_CHECK_EQUAL(me.dump(), doc["user"].dump());
}

CAF_TEST(an email of 254 characters is accepted) {
  auto res = register_with(valid_registration().set("email", email_of(254)));
  CAF_CHECK_EQUAL(status_of(res), 201);
}

CAF_TEST(an email of 255 characters is refused naming email) {
  auto res = register_with(valid_registration().set("email", email_of(255)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "email"), "");
}

CAF_TEST(emails that are not local at domain with a dot are refused) {
  for (std::string email :
       {"no-at-sign.example.com", "@example.com", "ann@localhost", "ann@",
        "ann smith@example.com", "ann@example.com.", ""}) {
    auto res = register_with(valid_registration().set("email", email));
    CAF_CHECK_EQUAL(email + ": " +
                        error_mismatch(res, 400, "validation_failed", "email"),
                    email + ": ");
  }
}

CAF_TEST(a password of 7 characters is refused naming password) {
  auto res = register_with(valid_registration().set("password", "1234567"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "password"),
                  "");
}

CAF_TEST(a password of 7 multi byte characters is refused) {
  // 21 bytes: counting bytes instead of code points would let it through.
  auto res =
      register_with(valid_registration().set("password", repeat(kanji, 7)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "password"),
                  "");
}

CAF_TEST(a password of 8 characters is accepted) {
  auto res = register_with(valid_registration().set("password", "12345678"));
  CAF_CHECK_EQUAL(status_of(res), 201);
}

CAF_TEST(a password of 128 multi byte characters is accepted) {
  // 256 bytes: counting bytes would refuse it.
  const auto password = repeat(e_acute, 128);
  auto body = valid_registration().set("password", password);
  auto res = register_with(body);
  CAF_CHECK_EQUAL(status_of(res), 201);
  auto email = body_of(res)["user"]["email"].text();
  CAF_CHECK_EQUAL(status_of(login(email, password)), 200);
}

CAF_TEST(a password of 129 characters is refused naming password) {
  auto res =
      register_with(valid_registration().set("password", repeat('p', 129)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "password"),
                  "");
}

CAF_TEST(an empty name is refused naming name) {
  auto res = register_with(valid_registration().set("name", ""));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
}

CAF_TEST(a name of one multi byte character is accepted) {
  auto res = register_with(valid_registration().set("name", muscle));
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["user"]["name"].text(), muscle);
}

CAF_TEST(a name of 100 multi byte characters is accepted as given) {
  const auto name = repeat(kanji, 100); // 300 bytes
  auto res = register_with(valid_registration().set("name", name));
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["user"]["name"].text(), name);
}

CAF_TEST(a name of 101 characters is refused naming name) {
  auto res =
      register_with(valid_registration().set("name", repeat(e_acute, 101)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
}

CAF_TEST(a missing password is refused naming password) {
  auto res = register_with(valid_registration().erase("password"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "password"),
                  "");
}

CAF_TEST(an unknown field in register is refused naming it) {
  auto res = register_with(valid_registration().set("nickname", "annie"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "nickname"),
                  "");
}

CAF_TEST(a password given as a number is refused naming password) {
  auto res = register_with(valid_registration().raw("password", "12345678"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "password"),
                  "");
}

CAF_TEST(a name given as null is refused naming name) {
  auto res = register_with(valid_registration().raw("name", "null"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
}

CAF_TEST(a body that is not JSON answers 400 invalid_json) {
  auto res = api.post(register_path, {}, "{\"email\": ");
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "invalid_json"), "");
}

CAF_TEST(a refused register creates no user) {
  auto body = valid_registration().set("password", "short");
  CAF_REQUIRE_EQUAL(status_of(register_with(body)), 400);
  body.set("password", test_password);
  CAF_CHECK_EQUAL(status_of(register_with(body)), 201);
}

CAF_TEST(the same email in another letter case answers 409 email_taken) {
  const auto email = unique_email("taken");
  CAF_REQUIRE_EQUAL(status_of(api.register_as(email, test_password, "A")), 201);
  auto res = api.register_as(case_variant(email, 0x1f), test_password, "B");
  CAF_CHECK_EQUAL(error_mismatch(res, 409, "email_taken"), "");
}

CAF_TEST(concurrent registrations of one email let exactly one win) {
  constexpr unsigned racers = 20;
  const auto email = unique_email("race");
  std::promise<void> start;
  std::shared_future<void> go = start.get_future().share();
  std::vector<std::optional<http_response>> answers(racers);
  std::vector<std::promise<void>> connected(racers);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      api_client own{port()};
      own.connect();
      connected[i].set_value();
      go.wait();
      answers[i] = own.register_as(case_variant(email, i), test_password,
                                   "Racer " + std::to_string(i));
    });
  }
  for (auto& c : connected)
    c.get_future().wait();
  start.set_value();
  for (auto& t : threads)
    t.join();
  int created = 0;
  int taken = 0;
  for (auto& res : answers) {
    if (status_of(res) == 201)
      ++created;
    else if (error_mismatch(res, 409, "email_taken").empty())
      ++taken;
    else
      CAF_MESSAGE(
          "unexpected answer: " << error_mismatch(res, 409, "email_taken"));
  }
  CAF_CHECK_EQUAL(created, 1);
  CAF_CHECK_EQUAL(taken, static_cast<int>(racers) - 1);
}

// -- login --------------------------------------------------------------------

CAF_TEST(login answers 200 with a new token and the own user object) {
  const auto email = unique_email();
  auto registered = body_of(api.register_as(email, test_password, "Ann"));
  auto res = login(email, test_password);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "token,user");
  CAF_CHECK(doc["token"].is_string());
  CAF_CHECK_NOT_EQUAL(doc["token"].text(), registered["token"].text());
  CAF_CHECK_EQUAL(doc["user"].dump(), registered["user"].dump());
  CAF_CHECK_EQUAL(status_of(api.get("/api/v1/users/me", doc["token"].text())),
                  200);
}

CAF_TEST(login matches the email in any letter case) {
  const auto email = unique_email("case");
  CAF_REQUIRE_EQUAL(status_of(api.register_as(email, test_password, "A")), 201);
  auto res = login(case_variant(email, 0x15), test_password);
  CAF_CHECK_EQUAL(status_of(res), 200);
}

CAF_TEST(login with a wrong password answers 401 invalid_credentials) {
  auto user = api.register_user();
  auto res = login(user.email, "wrong password 42");
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "invalid_credentials"), "");
}

CAF_TEST(login with an unknown email answers 401 invalid_credentials) {
  auto res = login(unique_email("nobody"), test_password);
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "invalid_credentials"), "");
}

// -- logout -------------------------------------------------------------------

CAF_TEST(logout answers 204 and the token stops working at once) {
  auto user = api.register_user();
  auto res = api.post(logout_path, user.token, {});
  CAF_CHECK_EQUAL(status_of(res), 204);
  CAF_CHECK(res && res->body.empty());
  CAF_CHECK_EQUAL(error_mismatch(api.get("/api/v1/users/me", user.token), 401,
                                 "unauthorized"),
                  "");
}

CAF_TEST(logout revokes only the token it was sent with) {
  auto user = api.register_user();
  auto second = body_of(login(user.email, test_password))["token"].text();
  CAF_REQUIRE(!second.empty());
  CAF_REQUIRE_EQUAL(status_of(api.post(logout_path, user.token, {})), 204);
  CAF_CHECK_EQUAL(status_of(api.get("/api/v1/users/me", user.token)), 401);
  CAF_CHECK_EQUAL(status_of(api.get("/api/v1/users/me", second)), 200);
}

CAF_TEST(a second logout with the same token answers 401) {
  auto user = api.register_user();
  CAF_REQUIRE_EQUAL(status_of(api.post(logout_path, user.token, {})), 204);
  CAF_CHECK_EQUAL(error_mismatch(api.post(logout_path, user.token, {}), 401,
                                 "unauthorized"),
                  "");
}

CAF_TEST(login after logout gives a working token) {
  auto user = api.register_user();
  CAF_REQUIRE_EQUAL(status_of(api.post(logout_path, user.token, {})), 204);
  auto token = body_of(login(user.email, test_password))["token"].text();
  CAF_CHECK_EQUAL(status_of(api.get("/api/v1/users/me", token)), 200);
}

// -- the bearer token ---------------------------------------------------------

CAF_TEST(every protected endpoint answers 401 without a token) {
  CAF_CHECK_EQUAL(unauthorized_everywhere(api, {}), "");
}

CAF_TEST(every protected endpoint answers 401 to an unknown token) {
  CAF_CHECK_EQUAL(
      unauthorized_everywhere(
          api, {{"Authorization", "Bearer not-a-token-anyone-was-given"}}),
      "");
}

CAF_TEST(every protected endpoint answers 401 to an empty bearer token) {
  CAF_CHECK_EQUAL(unauthorized_everywhere(api, {{"Authorization", "Bearer "}}),
                  "");
}

CAF_TEST(every protected endpoint answers 401 to a token in another scheme) {
  auto user = api.register_user();
  CAF_CHECK_EQUAL(
      unauthorized_everywhere(api, {{"Authorization", "Basic " + user.token}}),
      "");
}

CAF_TEST(every protected endpoint answers 401 to a revoked token) {
  auto user = api.register_user();
  CAF_REQUIRE_EQUAL(status_of(api.post(logout_path, user.token, {})), 204);
  CAF_CHECK_EQUAL(
      unauthorized_everywhere(api, {{"Authorization", "Bearer " + user.token}}),
      "");
}

CAF_TEST_FIXTURE_SCOPE_END()
