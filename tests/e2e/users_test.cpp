// The users endpoints of the real binary (api.md section 3, Users, and
// section 5): the own user, PATCH /users/me, public profiles, follower
// lists and path ids. The tests share the suite's numina; each registers
// users of its own.
#define CAF_SUITE e2e_users
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <string>

#include "tests/e2e/api_support.hpp"

using namespace numina::e2e;

namespace {

constexpr std::string_view e_acute = "\xc3\xa9";   // 2 bytes
constexpr std::string_view kanji = "\xe6\xbc\xa2"; // 3 bytes
const std::string me_path = "/api/v1/users/me";

// An id far beyond any this test run creates.
constexpr int64_t unknown_id = 9223372036854775807;

struct fixture : api_fixture {
  account user = api.register_user("Ann");

  std::optional<http_response> patch_me(const json_object& body) {
    return api.patch(me_path, user.token, body.str());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_users_tests, fixture)

// -- the own user -------------------------------------------------------------

CAF_TEST(users me answers the own user object) {
  auto res = api.get(me_path, user.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "bio,created_at,email,id,name,updated_at");
  CAF_CHECK_EQUAL(doc["id"].integer(), user.id);
  CAF_CHECK_EQUAL(doc["email"].text(), user.email);
  CAF_CHECK_EQUAL(doc["name"].text(), "Ann");
  CAF_CHECK_EQUAL(doc["bio"].dump(), "\"\"");
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
  CAF_CHECK(is_utc_timestamp(doc["updated_at"].text()));
}

CAF_TEST(users me is private and not cached) {
  auto res = api.get(me_path, user.token);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
}

// -- PATCH /users/me ----------------------------------------------------------

CAF_TEST(patching the name answers the changed user and is visible at once) {
  auto res = patch_me(json_object{}.set("name", "Ann Smith"));
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "bio,created_at,email,id,name,updated_at");
  CAF_CHECK_EQUAL(doc["name"].text(), "Ann Smith");
  CAF_CHECK_EQUAL(doc["email"].text(), user.email);
  CAF_CHECK_EQUAL(api.get_json(me_path, user.token)["name"].text(),
                  "Ann Smith");
}

CAF_TEST(patching the bio keeps the name) {
  auto res = patch_me(json_object{}.set("bio", "Runs at dawn."));
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["bio"].text(), "Runs at dawn.");
  CAF_CHECK_EQUAL(body_of(res)["name"].text(), "Ann");
}

CAF_TEST(an empty patch changes nothing) {
  auto before = api.get_json(me_path, user.token);
  auto res = patch_me(json_object{});
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["name"].dump(), before["name"].dump());
  CAF_CHECK_EQUAL(body_of(res)["bio"].dump(), before["bio"].dump());
}

CAF_TEST(a patched name of one multi byte character is accepted) {
  auto res = patch_me(json_object{}.set("name", e_acute));
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["name"].text(), e_acute);
}

CAF_TEST(a patched name of 100 multi byte characters is accepted) {
  const auto name = repeat(kanji, 100);
  auto res = patch_me(json_object{}.set("name", name));
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["name"].text(), name);
}

CAF_TEST(an empty patched name is refused naming name) {
  auto res = patch_me(json_object{}.set("name", ""));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
  CAF_CHECK_EQUAL(api.get_json(me_path, user.token)["name"].text(), "Ann");
}

CAF_TEST(a patched name of 101 characters is refused naming name) {
  auto res = patch_me(json_object{}.set("name", repeat(kanji, 101)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
}

CAF_TEST(a null name is refused naming name) {
  auto res = patch_me(json_object{}.raw("name", "null"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "name"), "");
}

CAF_TEST(a bio of 1000 multi byte characters is accepted) {
  const auto bio = repeat(e_acute, 1000); // 2000 bytes
  auto res = patch_me(json_object{}.set("bio", bio));
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["bio"].text(), bio);
}

CAF_TEST(a bio of 1001 characters is refused naming bio) {
  auto res = patch_me(json_object{}.set("bio", repeat('b', 1001)));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "bio"), "");
}

CAF_TEST(a null bio clears it to an empty string) {
  CAF_REQUIRE_EQUAL(status_of(patch_me(json_object{}.set("bio", "Old bio"))),
                    200);
  auto res = patch_me(json_object{}.raw("bio", "null"));
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["bio"].dump(), "\"\"");
  CAF_CHECK_EQUAL(api.get_json(me_path, user.token)["bio"].dump(), "\"\"");
}

CAF_TEST(an unknown field in a patch is refused naming it) {
  auto res = patch_me(json_object{}.set("name", "X").set("nickname", "annie"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "nickname"),
                  "");
  CAF_CHECK_EQUAL(api.get_json(me_path, user.token)["name"].text(), "Ann");
}

CAF_TEST(the email cannot be patched) {
  auto res = patch_me(json_object{}.set("email", unique_email()));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "email"), "");
}

CAF_TEST(a bio given as a number is refused naming bio) {
  auto res = patch_me(json_object{}.raw("bio", "42"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "bio"), "");
}

// -- public profiles ----------------------------------------------------------

CAF_TEST(a public profile has follower counts and no email) {
  auto other = api.register_user("Bob");
  auto res = api.get(user_path(other.id), user.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc),
                  "bio,created_at,followers,following,id,name,updated_at");
  CAF_CHECK_EQUAL(doc["id"].integer(), other.id);
  CAF_CHECK_EQUAL(doc["name"].text(), "Bob");
  CAF_CHECK_EQUAL(doc["bio"].dump(), "\"\"");
  CAF_CHECK_EQUAL(doc["followers"].dump(), "0");
  CAF_CHECK_EQUAL(doc["following"].dump(), "0");
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
  CAF_CHECK(is_utc_timestamp(doc["updated_at"].text()));
  CAF_CHECK(res->body.find(other.email) == std::string::npos);
}

CAF_TEST(a public profile is cached privately for 30 minutes) {
  auto res = api.get(user_path(user.id), user.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, max-age=1800");
}

CAF_TEST(a profile change is visible at once to another user) {
  auto reader = api.register_user("Bob");
  CAF_REQUIRE_EQUAL(
      api.get_json(user_path(user.id), reader.token)["name"].text(), "Ann");
  CAF_REQUIRE_EQUAL(
      status_of(patch_me(json_object{}.set("name", "Ann B").set("bio", "New"))),
      200);
  auto doc = api.get_json(user_path(user.id), reader.token);
  CAF_CHECK_EQUAL(doc["name"].text(), "Ann B");
  CAF_CHECK_EQUAL(doc["bio"].text(), "New");
}

CAF_TEST(the profile of an unknown user answers 404 not_found) {
  auto res = api.get(user_path(unknown_id), user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(
    a user id that is not a positive 64 bit integer answers 400 naming id) {
  for (std::string id : {"abc", "0", "-1", "9223372036854775808", "1.5",
                         "99999999999999999999"}) {
    auto res = api.get("/api/v1/users/" + id, user.token);
    CAF_CHECK_EQUAL(id + ": " +
                        error_mismatch(res, 400, "validation_failed", "id"),
                    id + ": ");
  }
}

// -- follower lists -----------------------------------------------------------

CAF_TEST(the followers of a user without any are an empty list) {
  auto res = api.get(user_path(user.id) + "/followers", user.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res).dump(), R"({"items":[],"next_cursor":null})");
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
}

CAF_TEST(the following of another user without any are an empty list) {
  auto other = api.register_user("Bob");
  auto res = api.get(user_path(other.id) + "/following", user.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res).dump(), R"({"items":[],"next_cursor":null})");
}

CAF_TEST(the followers of an unknown user answer 404 not_found) {
  auto res = api.get(user_path(unknown_id) + "/followers", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(the following of an unknown user answer 404 not_found) {
  auto res = api.get(user_path(unknown_id) + "/following", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(a malformed id in a follower list path answers 400 naming id) {
  auto res = api.get("/api/v1/users/abc/followers", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
  res = api.get("/api/v1/users/0/following", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
}

CAF_TEST(a follower list limit outside 1 to 100 answers 400 naming limit) {
  auto res = api.get(user_path(user.id) + "/followers?limit=0", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "limit"), "");
  res = api.get(user_path(user.id) + "/following?limit=101", user.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "limit"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
