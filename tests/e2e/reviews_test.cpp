// Reviews and ratings of the real binary (api.md section 3, Reviews and
// ratings, and section 5): posting a review and its validation, one per user
// and class (also when posted at once), the newest-first list with paging,
// fields and caching, and the rating before and after the rating job runs
// (POST /admin/jobs/ratings/run), in the rating and in the class. The tests
// share the suite's numina; each creates its own classes.
#define CAF_SUITE e2e_reviews
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <cmath>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_support.hpp"
#include "tests/e2e/list_walk.hpp"

using namespace numina::e2e;

namespace {

constexpr int64_t unknown_id = 9223372036854775807;

constexpr std::string_view e_acute = "\xc3\xa9"; // 2 bytes, 1 code point

std::string reviews_path(int64_t class_id) {
  return class_path(class_id) + "/reviews";
}

std::string rating_path(int64_t class_id) {
  return class_path(class_id) + "/rating";
}

std::string repeated(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += unit;
  return out;
}

struct fixture : api_fixture {
  account provider = api.register_user("Provider");
  account member = api.register_user("Member");
  int64_t class_id = api.create_class(provider, class_body());

  std::optional<http_response> post_review(const account& who, int64_t cls,
                                           const std::string& body) {
    return api.post(reviews_path(cls), who.token, body);
  }

  std::optional<http_response> review(const account& who, int64_t cls,
                                      int64_t rating,
                                      std::string_view text = "Good") {
    return post_review(
        who, cls, json_object{}.set("rating", rating).set("text", text).str());
  }

  // A review by a new user that must be answered 201; its body.
  json_value reviewed(int64_t cls, int64_t rating) {
    auto res = review(api.register_user("Reviewer"), cls, rating);
    CAF_CHECK_EQUAL(status_of(res), 201);
    return body_of(res);
  }

  // "" when the body is refused with 400 validation_failed naming `field`.
  std::string refused(const std::string& body, std::string_view field) {
    return error_mismatch(post_review(member, class_id, body), 400,
                          "validation_failed", field);
  }

  // Runs the rating job and checks that it finished well.
  void run_ratings() {
    auto res = api.post("/admin/jobs/ratings/run", admin_token, {});
    CAF_REQUIRE_EQUAL(status_of(res), 200);
    CAF_CHECK_EQUAL(body_of(res)["outcome"].text(), "ok");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_reviews_tests, fixture)

// -- POST /classes/{id}/reviews
// -------------------------------------------------

CAF_TEST(a review answers 201 with the review) {
  auto res = review(member, class_id, 4, "Great teacher");
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc),
                  "class_id,created_at,id,rating,text,user_id");
  CAF_CHECK(doc["id"].is_integer());
  CAF_CHECK_GREATER(doc["id"].integer(), 0);
  CAF_CHECK_EQUAL(doc["class_id"].integer(), class_id);
  CAF_CHECK_EQUAL(doc["user_id"].integer(), member.id);
  CAF_CHECK_EQUAL(doc["rating"].dump(), "4");
  CAF_CHECK_EQUAL(doc["text"].text(), "Great teacher");
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
}

CAF_TEST(the text may be left out or null and is then empty) {
  auto res = post_review(member, class_id, R"({"rating":5})");
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["text"].dump(), "\"\"");
  auto other = api.create_class(provider, class_body());
  res = post_review(member, other, R"({"rating":1,"text":null})");
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["text"].dump(), "\"\"");
}

CAF_TEST(a text of 2000 code points is accepted and 2001 refused) {
  CAF_CHECK_EQUAL(refused(json_object{}
                              .set("rating", 3)
                              .set("text", repeated(e_acute, 2001))
                              .str(),
                          "text"),
                  "");
  auto res = review(member, class_id, 3, repeated(e_acute, 2000));
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["text"].text(), repeated(e_acute, 2000));
}

CAF_TEST(a rating that is not an integer from 1 to 5 is refused) {
  for (const char* bad :
       {"0", "6", "2.5", "5.0", "\"5\"", "null", "true", "-1", "[5]"}) {
    CAF_MESSAGE("rating " << bad);
    CAF_CHECK_EQUAL(refused(json_object{}.raw("rating", bad).str(), "rating"),
                    "");
  }
  CAF_CHECK_EQUAL(refused(R"({"text":"no rating"})", "rating"), "");
  // Nothing was stored: the member may still review.
  CAF_CHECK_EQUAL(status_of(review(member, class_id, 5)), 201);
}

CAF_TEST(a text that is not a string and unknown fields are refused) {
  CAF_CHECK_EQUAL(refused(R"({"rating":3,"text":42})", "text"), "");
  CAF_CHECK_EQUAL(refused(R"({"rating":3,"stars":5})", "stars"), "");
}

CAF_TEST(a body that is not a JSON object is refused) {
  CAF_CHECK_EQUAL(error_mismatch(post_review(member, class_id, "{\"rating\":"),
                                 400, "invalid_json"),
                  "");
  CAF_CHECK_EQUAL(
      error_mismatch(post_review(member, class_id, "[5]"), 400, "invalid_json"),
      "");
  auto res = api.post(reviews_path(class_id), member.token, R"({"rating":5})",
                      {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
}

CAF_TEST(reviewing a class twice answers 409 already_reviewed) {
  CAF_REQUIRE_EQUAL(status_of(review(member, class_id, 2)), 201);
  CAF_CHECK_EQUAL(
      error_mismatch(review(member, class_id, 5), 409, "already_reviewed"), "");
  auto list = api.get_json(reviews_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(list["items"].size(), 1u);
  CAF_CHECK_EQUAL(list["items"][0]["rating"].dump(), "2");
}

CAF_TEST(ten concurrent reviews by one member leave exactly one) {
  constexpr size_t attempts = 10;
  std::promise<void> start;
  std::shared_future<void> go = start.get_future().share();
  std::vector<std::future<int>> statuses;
  for (size_t i = 0; i < attempts; ++i)
    statuses.push_back(std::async(std::launch::async, [&, i] {
      api_client own{port()};
      own.connect();
      go.wait();
      return status_of(own.post(
          reviews_path(class_id), member.token,
          json_object{}.set("rating", static_cast<int>(1 + i % 5)).str()));
    }));
  start.set_value();
  int created = 0;
  int conflicts = 0;
  for (auto& s : statuses) {
    const int status = s.get();
    created += status == 201;
    conflicts += status == 409;
  }
  CAF_CHECK_EQUAL(created, 1);
  CAF_CHECK_EQUAL(conflicts, static_cast<int>(attempts) - 1);
  CAF_CHECK_EQUAL(
      api.get_json(reviews_path(class_id), member.token)["items"].size(), 1u);
}

CAF_TEST(reviewing an unknown class answers 404 and a bad id 400) {
  CAF_CHECK_EQUAL(
      error_mismatch(review(member, unknown_id, 5), 404, "not_found"), "");
  auto res =
      api.post("/api/v1/classes/0/reviews", member.token, R"({"rating":5})");
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
  res = api.get("/api/v1/classes/x1/reviews", member.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
  res = api.get("/api/v1/classes/-3/rating", member.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
}

CAF_TEST(reviews need a token and allow only their methods) {
  auto res = api.post(reviews_path(class_id), {}, R"({"rating":5})");
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(rating_path(class_id), {}), 401, "unauthorized"),
      "");
  res = api.del(reviews_path(class_id), member.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  CAF_CHECK_EQUAL(header_of(res, "allow"), "GET, HEAD, POST");
  res = api.send("POST", rating_path(class_id), member.token, "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  CAF_CHECK_EQUAL(header_of(res, "allow"), "GET, HEAD");
}

// -- GET /classes/{id}/reviews
// ----------------------------------------------------

CAF_TEST(reviews list newest first with paging and public caching) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 13; ++i)
    ids.insert(ids.begin(), reviewed(class_id, 1 + i % 5)["id"].integer());
  auto first = api.get(reviews_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(status_of(first), 200);
  CAF_CHECK_EQUAL(header_of(first, "cache-control"), "public, max-age=3600");
  CAF_CHECK(!header_of(first, "etag").empty());
  auto page = body_of(first);
  // The default limit is 10.
  CAF_CHECK_EQUAL(page["items"].size(), 10u);
  CAF_CHECK(page["next_cursor"].is_string());
  CAF_CHECK_EQUAL(sorted_keys(page["items"][0]),
                  "class_id,created_at,id,rating,text,user_id");
  for (int limit : {1, 4, 13, 100}) {
    CAF_MESSAGE("limit " << limit);
    auto walk = walk_list(api, reviews_path(class_id), limit, member.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(ints_of(walk.items, "id"), ids);
  }
  // Newest first by (created_at, id): the times never increase.
  auto all = walk_list(api, reviews_path(class_id), 100, member.token);
  for (size_t i = 1; i < all.items.size(); ++i)
    CAF_CHECK_GREATER_OR_EQUAL(all.items[i - 1]["created_at"].text(),
                               all.items[i]["created_at"].text());
}

CAF_TEST(a new review shows in a cached list at once) {
  CAF_REQUIRE_EQUAL(
      api.get_json(reviews_path(class_id), member.token)["items"].size(), 0u);
  auto etag = header_of(api.get(reviews_path(class_id), member.token), "etag");
  const auto id = reviewed(class_id, 5)["id"].integer();
  auto res = api.get(reviews_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_NOT_EQUAL(header_of(res, "etag"), etag);
  CAF_CHECK_EQUAL(ints_of(body_of(res)["items"].items(), "id"),
                  std::vector<int64_t>{id});
}

CAF_TEST(the review list honours fields and conditional requests) {
  reviewed(class_id, 3);
  auto doc =
      api.get_json(reviews_path(class_id) + "?fields=rating,id", member.token);
  CAF_REQUIRE_EQUAL(doc["items"].size(), 1u);
  CAF_CHECK_EQUAL(sorted_keys(doc["items"][0]), "id,rating");
  auto res = api.get(reviews_path(class_id), member.token);
  auto again = api.send("GET", reviews_path(class_id), member.token, {},
                        {{"If-None-Match", header_of(res, "etag")}});
  CAF_CHECK_EQUAL(status_of(again), 304);
  CAF_CHECK_EQUAL(header_of(again, "cache-control"), "public, max-age=3600");
}

CAF_TEST(the review list refuses bad list parameters) {
  auto path = reviews_path(class_id);
  CAF_CHECK_EQUAL(error_mismatch(api.get(path + "?limit=0", member.token), 400,
                                 "validation_failed", "limit"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(api.get(path + "?limit=101", member.token),
                                 400, "validation_failed", "limit"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(api.get(path + "?cursor=nope", member.token),
                                 400, "validation_failed", "cursor"),
                  "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(path + "?fields=id,stars", member.token), 400,
                     "validation_failed", "fields"),
      "");
}

CAF_TEST(the reviews of an unknown class answer 404) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(reviews_path(unknown_id), member.token), 404,
                     "not_found"),
      "");
  auto doc = api.get_json(reviews_path(class_id), member.token);
  CAF_CHECK_EQUAL(doc.dump(), R"({"items":[],"next_cursor":null})");
}

// -- GET /classes/{id}/rating and the rating job
// ------------------------------------

CAF_TEST(before the first aggregation the rating is null with zeros) {
  reviewed(class_id, 5); // reviewed, but the job has not run since
  auto res = api.get(rating_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "public, max-age=3600");
  CAF_CHECK_EQUAL(header_of(res, "last-modified"), "");
  CAF_CHECK_EQUAL(body_of(res).dump(),
                  "{\"class_id\":" + std::to_string(class_id) +
                      ",\"average\":null,\"count\":0,\"histogram\":{\"1\":0,"
                      "\"2\":0,\"3\":0,\"4\":0,\"5\":0},\"computed_at\":null}");
  auto cls = api.get_json(class_path(class_id), member.token);
  CAF_CHECK_EQUAL(cls["rating"].dump(), R"({"average":null,"count":0})");
  CAF_CHECK_EQUAL(error_mismatch(api.get(rating_path(unknown_id), member.token),
                                 404, "not_found"),
                  "");
}

CAF_TEST(after the rating job the rating and the class show the aggregate) {
  // Read first, so that the cache holds the unaggregated rating and class.
  CAF_REQUIRE_EQUAL(
      api.get_json(rating_path(class_id), member.token)["count"].dump(), "0");
  CAF_REQUIRE_EQUAL(
      api.get_json(class_path(class_id), member.token)["rating"].dump(),
      R"({"average":null,"count":0})");
  for (int64_t r : {5, 4, 4, 1})
    reviewed(class_id, r);
  run_ratings();
  auto res = api.get(rating_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(doc["class_id"].integer(), class_id);
  CAF_CHECK_EQUAL(doc["average"].dump(), "3.5");
  CAF_CHECK_EQUAL(doc["count"].dump(), "4");
  CAF_CHECK_EQUAL(doc["histogram"].dump(),
                  R"({"1":1,"2":0,"3":0,"4":2,"5":1})");
  CAF_CHECK(is_utc_timestamp(doc["computed_at"].text()));
  CAF_CHECK(!header_of(res, "last-modified").empty());
  auto cls = api.get_json(class_path(class_id), member.token);
  CAF_CHECK_EQUAL(cls["rating"].dump(), R"({"average":3.5,"count":4})");
  // A later review waits for the next run, which recomputes exactly.
  reviewed(class_id, 5);
  CAF_CHECK_EQUAL(
      api.get_json(rating_path(class_id), member.token)["count"].dump(), "4");
  run_ratings();
  doc = api.get_json(rating_path(class_id), member.token);
  CAF_CHECK_EQUAL(doc["count"].dump(), "5");
  CAF_CHECK_LESS(std::abs(doc["average"].number() - 19.0 / 5.0), 1e-12);
  CAF_CHECK_EQUAL(doc["histogram"].dump(),
                  R"({"1":1,"2":0,"3":0,"4":2,"5":2})");
  CAF_CHECK_EQUAL(
      api.get_json(class_path(class_id), member.token)["rating"]["count"]
          .dump(),
      "5");
}

CAF_TEST(an average that is not a short decimal is shown to 15 digits) {
  for (int64_t r : {5, 4, 4})
    reviewed(class_id, r);
  run_ratings();
  auto res = api.get(rating_path(class_id), member.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_NOT_EQUAL(res->body.find("\"average\":4.33333333333333,"),
                      std::string::npos);
  CAF_CHECK_EQUAL(body_of(res)["count"].dump(), "3");
}

CAF_TEST(the rating honours fields) {
  auto doc = api.get_json(rating_path(class_id) + "?fields=count,histogram",
                          member.token);
  CAF_CHECK_EQUAL(doc.dump(),
                  R"({"count":0,"histogram":{"1":0,"2":0,"3":0,"4":0,"5":0}})");
  CAF_CHECK_EQUAL(
      error_mismatch(
          api.get(rating_path(class_id) + "?fields=stars", member.token), 400,
          "validation_failed", "fields"),
      "");
}

CAF_TEST_FIXTURE_SCOPE_END()
