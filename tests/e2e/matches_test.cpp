// Training partners of the real binary (api.md section 3, Matches, and
// section 5): the ranking, paging, fields, the private hour-long caching
// and the caller's own bookings reaching the cached list at once. The
// tests share the suite's numina; each registers its own provider and
// members and books only its own classes, so its partners are its own.
#define CAF_SUITE e2e_matches
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <string>
#include <vector>

#include "tests/e2e/api_support.hpp"
#include "tests/e2e/list_walk.hpp"

using namespace numina::e2e;

namespace {

const std::string matches_path = "/api/v1/matches";

// The JSON of one match, as the API writes it.
std::string match_json(const account& who, std::string_view name,
                       int64_t score) {
  return R"({"user":{"id":)" + std::to_string(who.id) + R"(,"name":")" +
         std::string{name} + R"("},"score":)" + std::to_string(score) +
         R"(,"shared_classes":)" + std::to_string(score) + "}";
}

std::vector<std::string> dumps(const std::vector<json_value>& items) {
  std::vector<std::string> out;
  for (const auto& item : items)
    out.push_back(item.dump());
  return out;
}

struct fixture : api_fixture {
  account provider = api.register_user("Provider");
  account me = api.register_user("Me");

  std::vector<int64_t> new_classes(size_t n) {
    std::vector<int64_t> ids;
    for (size_t i = 0; i < n; ++i)
      ids.push_back(api.create_class(provider, class_body(50)));
    return ids;
  }

  void book_all(const account& who, const std::vector<int64_t>& classes) {
    for (auto id : classes)
      api.book(who, id);
  }

  std::vector<std::string> listed(const std::string& query = {}) {
    return dumps(api.get_json(matches_path + query, me.token)["items"].items());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_matches_tests, fixture)

CAF_TEST(a member without shared classes has no matches) {
  auto res = api.get(matches_path, me.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200)
    return;
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, max-age=3600");
  CAF_CHECK_EQUAL(body_of(res).dump(), R"({"items":[],"next_cursor":null})");
  // Booking a class nobody else booked still matches no one, never myself.
  api.book(me, new_classes(1).front());
  CAF_CHECK_EQUAL(api.get_json(matches_path, me.token).dump(),
                  R"({"items":[],"next_cursor":null})");
}

CAF_TEST(matches rank partners by shared classes then by id) {
  auto c = new_classes(5);
  std::vector<account> u;
  for (int i = 0; i < 5; ++i)
    u.push_back(api.register_user("U" + std::to_string(i)));
  // I book c0..c3. u3 shares three, u1 and u4 two each (a tie: the smaller
  // id first), u0 one; u2 booked only c4, which I did not.
  book_all(me, {c[0], c[1], c[2], c[3]});
  book_all(u[4], {c[0], c[2]});
  book_all(u[3], {c[0], c[1], c[2]});
  book_all(u[2], {c[4]});
  book_all(u[1], {c[1], c[3], c[4]});
  book_all(u[0], {c[3]});
  const std::vector<std::string> expected{
      match_json(u[3], "U3", 3), match_json(u[1], "U1", 2),
      match_json(u[4], "U4", 2), match_json(u[0], "U0", 1)};
  auto res = api.get(matches_path, me.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200)
    return;
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK(doc["next_cursor"].is_null());
  CAF_CHECK_EQUAL(dumps(doc["items"].items()), expected);
  // Seen from u3: me (3), then u4 (2), then u1 (1).
  CAF_CHECK_EQUAL(
      dumps(api.get_json(matches_path, u[3].token)["items"].items()),
      (std::vector<std::string>{match_json(me, "Me", 3),
                                match_json(u[4], "U4", 2),
                                match_json(u[1], "U1", 1)}));
  for (int limit : {1, 2, 3}) {
    auto walk = walk_list(api, matches_path, limit, me.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(dumps(walk.items), expected);
  }
}

CAF_TEST(matches list ten by default) {
  const auto c = new_classes(1).front();
  api.book(me, c);
  for (int i = 0; i < 11; ++i)
    api.book(api.register_user("P" + std::to_string(i)), c);
  auto doc = api.get_json(matches_path, me.token);
  CAF_CHECK_EQUAL(doc["items"].size(), 10u);
  CAF_CHECK(doc["next_cursor"].is_string());
  auto walk = walk_list(api, matches_path, 10, me.token);
  CAF_CHECK_EQUAL(walk.problems, "");
  CAF_CHECK_EQUAL(walk.items.size(), 11u);
  CAF_CHECK_EQUAL(walk.pages, 2u);
}

CAF_TEST(match fields select top level fields of each match) {
  const auto c = new_classes(1).front();
  auto partner = api.register_user("Partner");
  api.book(me, c);
  api.book(partner, c);
  CAF_CHECK_EQUAL(listed("?fields=user,score"),
                  std::vector<std::string>{R"({"user":{"id":)" +
                                           std::to_string(partner.id) +
                                           R"(,"name":"Partner"},"score":1})"});
  CAF_CHECK_EQUAL(listed("?fields=shared_classes"),
                  std::vector<std::string>{R"({"shared_classes":1})"});
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(matches_path + "?fields=user,rank", me.token), 400,
                     "validation_failed", "fields"),
      "");
}

CAF_TEST(bad list parameters of matches answer 400 naming them) {
  for (const char* q : {"?limit=0", "?limit=101", "?limit=-1"})
    CAF_CHECK_EQUAL(error_mismatch(api.get(matches_path + q, me.token), 400,
                                   "validation_failed", "limit"),
                    "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(matches_path + "?cursor=not-a-cursor", me.token),
                     400, "validation_failed", "cursor"),
      "");
}

CAF_TEST(matches are cached privately and answer 304 to their etag) {
  const auto c = new_classes(1).front();
  api.book(me, c);
  api.book(api.register_user("Partner"), c);
  auto first = api.get(matches_path, me.token);
  CAF_CHECK_EQUAL(status_of(first), 200);
  if (status_of(first) != 200)
    return;
  const auto etag = header_of(first, "etag");
  CAF_CHECK(etag.size() > 2 && etag.front() == '"');
  CAF_CHECK_EQUAL(header_of(first, "vary"), "Accept-Encoding");
  auto again = api.get(matches_path, me.token);
  CAF_CHECK_EQUAL(header_of(again, "etag"), etag);
  CAF_CHECK_EQUAL(again ? again->body : "", first ? first->body : "-");
  auto cond =
      api.send("GET", matches_path, me.token, {}, {{"If-None-Match", etag}});
  CAF_CHECK_EQUAL(status_of(cond), 304);
  CAF_CHECK(cond && cond->body.empty());
  CAF_CHECK_EQUAL(header_of(cond, "cache-control"), "private, max-age=3600");
  // Held in the cache under the prefix docs/api.md lists ("|" escaped).
  auto removed = api.send(
      "DELETE", "/admin/cache?prefix=matches:" + std::to_string(me.id) + "%7C",
      admin_token);
  CAF_CHECK_EQUAL(status_of(removed), 200);
  if (status_of(removed) != 200)
    return;
  CAF_CHECK_EQUAL(body_of(removed)["removed"].integer(), 1);
}

CAF_TEST(my own booking and cancellation show in my matches at once) {
  const auto c = new_classes(1).front();
  auto partner = api.register_user("Partner");
  api.book(partner, c);
  // Cached empty before my booking.
  CAF_CHECK_EQUAL(listed(), std::vector<std::string>{});
  const auto booking = api.book(me, c);
  CAF_CHECK_EQUAL(listed(),
                  std::vector<std::string>{match_json(partner, "Partner", 1)});
  CAF_CHECK_EQUAL(status_of(api.del(booking_path(booking), me.token)), 204);
  CAF_CHECK_EQUAL(listed(), std::vector<std::string>{});
}

CAF_TEST(matches of one member are not served to another) {
  const auto c = new_classes(1).front();
  auto partner = api.register_user("Partner");
  api.book(me, c);
  api.book(partner, c);
  CAF_CHECK_EQUAL(listed(),
                  std::vector<std::string>{match_json(partner, "Partner", 1)});
  CAF_CHECK_EQUAL(
      dumps(api.get_json(matches_path, partner.token)["items"].items()),
      std::vector<std::string>{match_json(me, "Me", 1)});
}

CAF_TEST(matches need a token) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(matches_path, {}), 401, "unauthorized"), "");
  CAF_CHECK_EQUAL(error_mismatch(api.post(matches_path, me.token, "{}"), 405,
                                 "method_not_allowed"),
                  "");
}

CAF_TEST_FIXTURE_SCOPE_END()
