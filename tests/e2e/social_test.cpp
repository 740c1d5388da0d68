// The social endpoints of the real binary (api.md section 3, Social, and
// section 5): follow and unfollow with their effect on profiles and lists,
// posting activities, and the feed as the feed job builds it (run through
// POST /admin/jobs/feed/run). The tests share the suite's numina; each
// registers users of its own, so a feed holds only what the test made.
#define CAF_SUITE e2e_social
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_support.hpp"
#include "tests/e2e/list_walk.hpp"

using namespace numina::e2e;

namespace {

constexpr std::string_view e_acute = "\xc3\xa9"; // 2 bytes, 1 code point
const std::string activity_path = "/api/v1/social/activity";
const std::string feed_path = "/api/v1/social/feed";

// An id far beyond any this test run creates.
constexpr int64_t unknown_id = 9223372036854775807;

std::string follow_path(int64_t id) {
  return "/api/v1/social/follow/" + std::to_string(id);
}

std::string activity_body(std::string_view kind, std::string_view text) {
  return json_object{}.set("kind", kind).set("text", text).str();
}

struct fixture : api_fixture {
  account ann = api.register_user("Ann");
  account bob = api.register_user("Bob");

  std::optional<http_response> follow(const account& who, int64_t id) {
    return api.send("POST", follow_path(id), who.token);
  }

  std::optional<http_response> unfollow(const account& who, int64_t id) {
    return api.send("DELETE", follow_path(id), who.token);
  }

  std::optional<http_response> post_raw(const account& who, std::string body) {
    return api.post(activity_path, who.token, std::move(body));
  }

  // Posts an activity; its id, or 0 with a failed check.
  int64_t post(const account& who, std::string_view text = "Ran 5 km",
               std::string_view kind = "workout") {
    auto res = post_raw(who, activity_body(kind, text));
    CAF_CHECK_EQUAL(status_of(res), 201);
    return body_of(res)["id"].integer();
  }

  // Runs the feed job to its end, as an operator would.
  void run_feed_job() {
    auto res = api.send("POST", "/admin/jobs/feed/run", admin_token);
    CAF_CHECK_EQUAL(status_of(res), 200);
    CAF_CHECK_EQUAL(body_of(res)["outcome"].text(), "ok");
  }

  // The ids of the first page of `who`'s feed.
  std::vector<int64_t> feed_ids(const account& who,
                                const std::string& query = "") {
    return item_ids(api.get_json(feed_path + query, who.token));
  }

  int64_t count_of(const account& who, int64_t user, const char* which) {
    return api.get_json(user_path(user), who.token)[which].integer();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_social_tests, fixture)

// -- follow and unfollow ------------------------------------------------------

CAF_TEST(a follow answers 204 and shows at once in profiles and lists) {
  // Cached first, so the follow must invalidate them.
  CAF_CHECK_EQUAL(count_of(ann, bob.id, "followers"), 0);
  CAF_CHECK_EQUAL(count_of(ann, ann.id, "following"), 0);
  auto res = follow(ann, bob.id);
  CAF_CHECK_EQUAL(status_of(res), 204);
  CAF_CHECK(res && res->body.empty());
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(count_of(ann, bob.id, "followers"), 1);
  CAF_CHECK_EQUAL(count_of(bob, ann.id, "following"), 1);
  CAF_CHECK_EQUAL(
      item_ids(api.get_json(user_path(bob.id) + "/followers", ann.token)),
      std::vector<int64_t>{ann.id});
  CAF_CHECK_EQUAL(
      item_ids(api.get_json(user_path(ann.id) + "/following", bob.token)),
      std::vector<int64_t>{bob.id});
}

CAF_TEST(following twice is fine and counts once) {
  CAF_CHECK_EQUAL(status_of(follow(ann, bob.id)), 204);
  CAF_CHECK_EQUAL(status_of(follow(ann, bob.id)), 204);
  CAF_CHECK_EQUAL(count_of(ann, bob.id, "followers"), 1);
}

CAF_TEST(a follow moves both profiles last modified) {
  auto before = api.get(user_path(bob.id), ann.token);
  CAF_CHECK_EQUAL(status_of(before), 200);
  const auto etag = header_of(before, "etag");
  const auto bob_before = header_of(before, "last-modified");
  const auto ann_before =
      header_of(api.get(user_path(ann.id), bob.token), "last-modified");
  // Last-Modified has whole seconds: let one pass.
  std::this_thread::sleep_for(1100ms);
  CAF_CHECK_EQUAL(status_of(follow(ann, bob.id)), 204);
  auto after = api.send("GET", user_path(bob.id), ann.token, {},
                        {{"If-None-Match", etag}});
  CAF_CHECK_EQUAL(status_of(after), 200);
  CAF_CHECK_NOT_EQUAL(header_of(after, "last-modified"), bob_before);
  CAF_CHECK_NOT_EQUAL(
      header_of(api.get(user_path(ann.id), bob.token), "last-modified"),
      ann_before);
  auto since = api.send("GET", user_path(bob.id), ann.token, {},
                        {{"If-Modified-Since", bob_before}});
  CAF_CHECK_EQUAL(status_of(since), 200);
}

CAF_TEST(following oneself is refused naming id) {
  auto res = follow(ann, ann.id);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
  CAF_CHECK_EQUAL(count_of(ann, ann.id, "following"), 0);
}

CAF_TEST(following an unknown user answers 404) {
  CAF_CHECK_EQUAL(error_mismatch(follow(ann, unknown_id), 404, "not_found"),
                  "");
}

CAF_TEST(a malformed user id in the follow path is refused naming id) {
  for (const char* bad : {"abc", "0", "-1", "1.5", "99999999999999999999"}) {
    CAF_MESSAGE("id " << bad);
    const auto path = std::string{"/api/v1/social/follow/"} + bad;
    CAF_CHECK_EQUAL(error_mismatch(api.send("POST", path, ann.token), 400,
                                   "validation_failed", "id"),
                    "");
    CAF_CHECK_EQUAL(error_mismatch(api.send("DELETE", path, ann.token), 400,
                                   "validation_failed", "id"),
                    "");
  }
}

CAF_TEST(follow and unfollow need a token) {
  CAF_CHECK_EQUAL(error_mismatch(api.send("POST", follow_path(bob.id), ""), 401,
                                 "unauthorized"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(api.send("DELETE", follow_path(bob.id), ""),
                                 401, "unauthorized"),
                  "");
}

CAF_TEST(an unfollow answers 204 and shows at once and may be repeated) {
  follow(ann, bob.id);
  CAF_CHECK_EQUAL(count_of(ann, bob.id, "followers"), 1);
  auto res = unfollow(ann, bob.id);
  CAF_CHECK_EQUAL(status_of(res), 204);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(count_of(ann, bob.id, "followers"), 0);
  CAF_CHECK_EQUAL(count_of(bob, ann.id, "following"), 0);
  CAF_CHECK(item_ids(api.get_json(user_path(bob.id) + "/followers", ann.token))
                .empty());
  CAF_CHECK_EQUAL(status_of(unfollow(ann, bob.id)), 204);
}

CAF_TEST(unfollowing someone never followed answers 204) {
  CAF_CHECK_EQUAL(status_of(unfollow(ann, bob.id)), 204);
}

CAF_TEST(unfollowing an unknown user answers 404 and oneself 400) {
  CAF_CHECK_EQUAL(error_mismatch(unfollow(ann, unknown_id), 404, "not_found"),
                  "");
  CAF_CHECK_EQUAL(
      error_mismatch(unfollow(ann, ann.id), 400, "validation_failed", "id"),
      "");
}

// -- activities ---------------------------------------------------------------

CAF_TEST(posting an activity answers 201 with the activity) {
  auto res = post_raw(ann, activity_body("achievement", "First 10 km!"));
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "created_at,id,kind,text,user_id");
  CAF_CHECK_GREATER(doc["id"].integer(), 0);
  CAF_CHECK_EQUAL(doc["user_id"].integer(), ann.id);
  CAF_CHECK_EQUAL(doc["kind"].text(), "achievement");
  CAF_CHECK_EQUAL(doc["text"].text(), "First 10 km!");
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
}

CAF_TEST(every kind of the contract is accepted) {
  for (const char* kind : {"workout", "post", "achievement"})
    CAF_CHECK_EQUAL(status_of(post_raw(ann, activity_body(kind, "x"))), 201);
}

CAF_TEST(a kind outside the list is refused naming kind) {
  for (const char* body :
       {R"({"kind":"nap","text":"zzz"})", R"({"kind":"Workout","text":"x"})",
        R"({"kind":"","text":"x"})", R"({"kind":1,"text":"x"})",
        R"({"kind":null,"text":"x"})", R"({"text":"x"})"}) {
    CAF_MESSAGE(body);
    CAF_CHECK_EQUAL(
        error_mismatch(post_raw(ann, body), 400, "validation_failed", "kind"),
        "");
  }
}

CAF_TEST(a text of 1 to 2000 code points is accepted) {
  CAF_CHECK_EQUAL(status_of(post_raw(ann, activity_body("post", e_acute))),
                  201);
  const auto longest = repeat(e_acute, 2000); // 4000 bytes
  auto res = post_raw(ann, activity_body("post", longest));
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["text"].text(), longest);
}

CAF_TEST(an empty missing or too long text is refused naming text) {
  for (const auto& body :
       {activity_body("post", ""), activity_body("post", repeat(e_acute, 2001)),
        std::string{R"({"kind":"post"})"},
        std::string{R"({"kind":"post","text":42})"}}) {
    CAF_CHECK_EQUAL(
        error_mismatch(post_raw(ann, body), 400, "validation_failed", "text"),
        "");
  }
}

CAF_TEST(an unknown field in an activity is refused naming it) {
  auto res = post_raw(ann, R"({"kind":"post","text":"x","mood":"great"})");
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "mood"), "");
}

CAF_TEST(an activity body that is not json is refused) {
  CAF_CHECK_EQUAL(
      error_mismatch(post_raw(ann, R"({"kind":"post",)"), 400, "invalid_json"),
      "");
  auto plain = api.post(activity_path, ann.token, activity_body("post", "x"),
                        {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(plain, 415, "unsupported_media_type"), "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.post(activity_path, "", activity_body("post", "x")),
                     401, "unauthorized"),
      "");
}

CAF_TEST(an activity posted again with its idempotency key is replayed) {
  const header_list key{{"Idempotency-Key", "social-e2e-1"}};
  auto first =
      api.post(activity_path, ann.token, activity_body("post", "once"), key);
  auto again =
      api.post(activity_path, ann.token, activity_body("post", "once"), key);
  CAF_CHECK_EQUAL(status_of(first), 201);
  CAF_CHECK_EQUAL(status_of(again), 201);
  CAF_CHECK_EQUAL(header_of(again, "idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(body_of(again)["id"].integer(),
                  body_of(first)["id"].integer());
}

// -- the feed -----------------------------------------------------------------

CAF_TEST(the feed shows followees and own activities newest first) {
  auto cid = api.register_user("Cid"); // nobody Ann follows
  follow(ann, bob.id);
  const auto a1 = post(ann, "Mine");
  const auto b1 = post(bob, "Bob's run");
  post(cid, "Not for Ann");
  const auto b2 = post(bob, "Bob's post", "post");
  run_feed_job();
  auto res = api.get(feed_path, ann.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, max-age=300");
  CAF_CHECK(!header_of(res, "etag").empty());
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(item_ids(doc), (std::vector<int64_t>{b2, b1, a1}));
  CAF_CHECK(doc["next_cursor"].is_null());
  const auto& top = doc["items"][size_t{0}];
  CAF_CHECK_EQUAL(sorted_keys(top), "created_at,id,kind,text,user,user_id");
  CAF_CHECK_EQUAL(top["user_id"].integer(), bob.id);
  CAF_CHECK_EQUAL(top["kind"].text(), "post");
  CAF_CHECK_EQUAL(top["text"].text(), "Bob's post");
  CAF_CHECK(is_utc_timestamp(top["created_at"].text()));
  CAF_CHECK_EQUAL(top["user"].dump(),
                  "{\"id\":" + std::to_string(bob.id) + ",\"name\":\"Bob\"}");
  CAF_CHECK_EQUAL(doc["items"][size_t{2}]["user"]["name"].text(), "Ann");
  // Bob follows nobody: his own only.
  CAF_CHECK_EQUAL(feed_ids(bob), (std::vector<int64_t>{b2, b1}));
}

CAF_TEST(a cached feed shows new activities after the next job run) {
  follow(ann, bob.id);
  CAF_CHECK(feed_ids(ann).empty()); // now cached
  const auto b1 = post(bob);
  run_feed_job();
  CAF_CHECK_EQUAL(feed_ids(ann), std::vector<int64_t>{b1});
}

CAF_TEST(an unfollow removes the followees items at the next run) {
  follow(ann, bob.id);
  post(bob);
  const auto a1 = post(ann);
  run_feed_job();
  CAF_CHECK_EQUAL(feed_ids(ann).size(), 2u);
  unfollow(ann, bob.id);
  run_feed_job();
  CAF_CHECK_EQUAL(feed_ids(ann), std::vector<int64_t>{a1});
}

CAF_TEST(an activity posted before a follow appears after the next run) {
  const auto b1 = post(bob);
  run_feed_job();
  CAF_CHECK(feed_ids(ann).empty());
  follow(ann, bob.id);
  run_feed_job();
  CAF_CHECK_EQUAL(feed_ids(ann), std::vector<int64_t>{b1});
}

CAF_TEST(the feed pages by 10 by default without repeats or skips) {
  follow(ann, bob.id);
  std::vector<int64_t> posted;
  for (int i = 0; i < 13; ++i)
    posted.push_back(post(i % 2 == 0 ? bob : ann, "n" + std::to_string(i)));
  run_feed_job();
  const std::vector<int64_t> newest_first(posted.rbegin(), posted.rend());
  auto first = api.get_json(feed_path, ann.token);
  CAF_CHECK_EQUAL(first["items"].size(), 10u);
  CAF_CHECK(first["next_cursor"].is_string());
  for (int limit : {1, 4, 13, 100}) {
    auto walk = walk_list(api, feed_path, limit, ann.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(ints_of(walk.items, "id"), newest_first);
  }
}

CAF_TEST(fields selects the fields of each feed item) {
  post(ann);
  run_feed_job();
  auto doc = api.get_json(feed_path + "?fields=id,user", ann.token);
  CAF_CHECK_EQUAL(doc["items"].size(), 1u);
  CAF_CHECK_EQUAL(sorted_keys(doc["items"][size_t{0}]), "id,user");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(feed_path + "?fields=id,likes", ann.token), 400,
                     "validation_failed", "fields"),
      "");
}

CAF_TEST(bad feed list parameters are refused naming them) {
  CAF_CHECK_EQUAL(error_mismatch(api.get(feed_path + "?limit=0", ann.token),
                                 400, "validation_failed", "limit"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(api.get(feed_path + "?limit=101", ann.token),
                                 400, "validation_failed", "limit"),
                  "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(feed_path + "?cursor=not-a-cursor", ann.token),
                     400, "validation_failed", "cursor"),
      "");
  CAF_CHECK_EQUAL(error_mismatch(api.get(feed_path, ""), 401, "unauthorized"),
                  "");
}

CAF_TEST(an unchanged feed answers 304 to its etag) {
  post(ann);
  run_feed_job();
  auto first = api.get(feed_path, ann.token);
  const auto etag = header_of(first, "etag");
  auto again =
      api.send("GET", feed_path, ann.token, {}, {{"If-None-Match", etag}});
  CAF_CHECK_EQUAL(status_of(again), 304);
}

CAF_TEST_FIXTURE_SCOPE_END()
