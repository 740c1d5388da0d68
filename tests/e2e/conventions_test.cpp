// What every endpoint of the real binary follows (api.md sections 1 and 5)
// as the users, classes and bookings endpoints show it: cursor paging and
// limits, field selection, idempotency keys, timestamps and ids, and the
// order in which a request is judged (route, authentication, content type,
// validation). The tests share the suite's numina; each registers users of
// its own and lists classes by its own provider.
#define CAF_SUITE e2e_conventions
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/api_support.hpp"

using namespace numina::e2e;

namespace {

const std::string classes_path = "/api/v1/classes";
const std::string my_bookings_path = "/api/v1/users/me/bookings";
constexpr int64_t hour = 3600;

// Enough classes that no page size of the tests divides them evenly.
constexpr size_t class_count = 23;

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// `cursor` with one character in its middle replaced by another of the
// base64url alphabet.
std::string tampered(std::string cursor) {
  auto& c = cursor[cursor.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  return cursor;
}

// What walking the pages of a list found.
struct walk_result {
  std::vector<int64_t> ids; // of every page, in order
  size_t pages = 0;
  std::string problems; // "" when every page was well-formed
};

struct fixture : api_fixture {
  account provider = api.register_user("Provider");

  std::string provider_query() const {
    return "provider_id=" + std::to_string(provider.id);
  }

  // Creates `n` classes of the provider, three at each starts_at (so that
  // ties are ordered by id), in an order that is not the listing order;
  // their ids in the listing order, (starts_at, id) ascending.
  std::vector<int64_t> create_classes(size_t n) {
    const auto base = unix_now() + 24 * hour;
    std::vector<std::pair<int64_t, int64_t>> created;
    for (size_t i = 0; i < n; ++i) {
      const auto starts_at =
          base + static_cast<int64_t>((n - 1 - i) / 3) * hour;
      created.emplace_back(
          starts_at,
          api.create_class(provider,
                           class_body().set("starts_at", utc_text(starts_at))));
    }
    std::sort(created.begin(), created.end());
    std::vector<int64_t> ids;
    for (auto& c : created)
      ids.push_back(c.second);
    return ids;
  }

  // Follows next_cursor from the first page of `path_and_query` with
  // `limit` (0: none given) until it is null, at most 200 pages.
  walk_result walk(const std::string& path_and_query, int limit,
                   const std::string& token) {
    walk_result r;
    std::optional<std::string> cursor;
    const char sep = path_and_query.find('?') == std::string::npos ? '?' : '&';
    while (r.pages < 200) {
      std::string target = path_and_query;
      if (limit > 0)
        target += sep + std::string{"limit="} + std::to_string(limit);
      if (cursor)
        target += std::string{limit > 0 ? '&' : sep} +
                  "cursor=" + percent_encode(*cursor);
      auto res = api.get(target, token);
      ++r.pages;
      if (status_of(res) != 200) {
        r.problems += "page " + std::to_string(r.pages) + ": status " +
                      std::to_string(status_of(res)) + "; ";
        return r;
      }
      auto page = body_of(res);
      const auto ids = item_ids(page);
      r.ids.insert(r.ids.end(), ids.begin(), ids.end());
      auto& next = page["next_cursor"];
      if (next.is_null())
        return r;
      if (!next.is_string() || next.text().empty())
        r.problems += "page " + std::to_string(r.pages) + ": next_cursor is " +
                      next.dump() + "; ";
      if (limit > 0 && ids.size() != static_cast<size_t>(limit))
        r.problems += "page " + std::to_string(r.pages) + " has " +
                      std::to_string(ids.size()) +
                      " items but is not the last; ";
      cursor = next.text();
    }
    r.problems += "more than 200 pages; ";
    return r;
  }

  // Walks the provider's classes with `limit` and checks the result
  // against `expected`.
  void check_paging(int limit, const std::vector<int64_t>& expected) {
    auto r = walk(classes_path + "?" + provider_query(), limit, provider.token);
    CAF_CHECK_EQUAL(r.problems, "");
    CAF_CHECK_EQUAL(r.ids, expected);
    const size_t n = expected.size();
    const size_t per_page = static_cast<size_t>(limit);
    CAF_CHECK_EQUAL(r.pages, (n + per_page - 1) / per_page);
  }

  // A valid cursor of the provider's classes (they need more than one
  // page of `limit` 1).
  std::string first_cursor() {
    auto page = api.get_json(classes_path + "?" + provider_query() + "&limit=1",
                             provider.token);
    CAF_CHECK(page["next_cursor"].is_string());
    return page["next_cursor"].text();
  }

  std::optional<http_response> post_class(const account& as,
                                          const std::string& body,
                                          const std::string& key) {
    return api.post(classes_path, as.token, body, {{"Idempotency-Key", key}});
  }

  size_t classes_of(const account& who) {
    return api
        .get_json(classes_path +
                      "?limit=100&provider_id=" + std::to_string(who.id),
                  who.token)["items"]
        .size();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_conventions_tests, fixture)

// -- paging -------------------------------------------------------------------

CAF_TEST(paging classes with limit 1 returns every class once in order) {
  check_paging(1, create_classes(class_count));
}

CAF_TEST(paging classes with limit 5 returns every class once in order) {
  check_paging(5, create_classes(class_count));
}

CAF_TEST(paging classes with limit 10 returns every class once in order) {
  check_paging(10, create_classes(class_count));
}

CAF_TEST(paging classes with limit 100 returns every class on one page) {
  check_paging(100, create_classes(class_count));
}

CAF_TEST(the next cursor is null exactly on the last page) {
  create_classes(10); // a multiple of the limit: no empty page at the end
  auto first = api.get_json(classes_path + "?" + provider_query() + "&limit=5",
                            provider.token);
  CAF_CHECK_EQUAL(first["items"].size(), 5u);
  CAF_REQUIRE(first["next_cursor"].is_string());
  auto second =
      api.get_json(classes_path + "?" + provider_query() + "&limit=5&cursor=" +
                       percent_encode(first["next_cursor"].text()),
                   provider.token);
  CAF_CHECK_EQUAL(second["items"].size(), 5u);
  CAF_CHECK(second["next_cursor"].is_null());
}

CAF_TEST(the class list has a default limit of 10) {
  const auto ids = create_classes(11);
  auto page =
      api.get_json(classes_path + "?" + provider_query(), provider.token);
  CAF_CHECK_EQUAL(item_ids(page),
                  std::vector<int64_t>(ids.begin(), ids.begin() + 10));
  CAF_CHECK(page["next_cursor"].is_string());
  auto r = walk(classes_path + "?" + provider_query(), 0, provider.token);
  CAF_CHECK_EQUAL(r.problems, "");
  CAF_CHECK_EQUAL(r.ids, ids);
  CAF_CHECK_EQUAL(r.pages, 2u);
}

CAF_TEST(my bookings have a default limit of 25) {
  auto member = api.register_user("Member");
  const auto classes = create_classes(26);
  std::vector<int64_t> bookings;
  for (auto id : classes)
    bookings.push_back(api.book(member, id));
  auto page = api.get_json(my_bookings_path, member.token);
  CAF_CHECK_EQUAL(item_ids(page), std::vector<int64_t>(bookings.begin(),
                                                       bookings.begin() + 25));
  CAF_CHECK(page["next_cursor"].is_string());
  auto r = walk(my_bookings_path, 0, member.token);
  CAF_CHECK_EQUAL(r.problems, "");
  CAF_CHECK_EQUAL(r.ids, bookings);
  CAF_CHECK_EQUAL(r.pages, 2u);
}

CAF_TEST(paging my bookings returns every booking once in order) {
  auto member = api.register_user("Member");
  const auto classes = create_classes(9); // three classes per starts_at
  std::vector<int64_t> bookings;
  // Booked in reverse, so that booking ids do not follow the class order.
  for (auto it = classes.rbegin(); it != classes.rend(); ++it)
    bookings.push_back(api.book(member, *it));
  std::reverse(bookings.begin(), bookings.end());
  // In class order; within the three classes of one starts_at, by booking
  // id.
  for (size_t g = 0; g < bookings.size(); g += 3)
    std::sort(bookings.begin() + static_cast<long>(g),
              bookings.begin() + static_cast<long>(g + 3));
  auto r = walk(my_bookings_path, 4, member.token);
  CAF_CHECK_EQUAL(r.problems, "");
  CAF_CHECK_EQUAL(r.ids, bookings);
  CAF_CHECK_EQUAL(r.pages, 3u);
}

CAF_TEST(a limit outside 1 to 100 is refused naming limit) {
  auto member = api.register_user("Member");
  for (std::string value :
       {"0", "101", "-1", "abc", "", "1.5", "1e1", "99999999999999999999"}) {
    for (auto& path : {classes_path, my_bookings_path}) {
      auto res = api.get(path + "?limit=" + value, member.token);
      auto mismatch = error_mismatch(res, 400, "validation_failed", "limit");
      CAF_CHECK_EQUAL(path + "?limit=" + value + ": " + mismatch,
                      path + "?limit=" + value + ": ");
    }
  }
}

CAF_TEST(a malformed cursor is refused naming cursor) {
  for (std::string value : {"abc", "!!!", "", "c1:100:5", "AAAAAAAAAAAAAAAA"}) {
    for (auto& path : {classes_path, my_bookings_path}) {
      auto res =
          api.get(path + "?cursor=" + percent_encode(value), provider.token);
      auto mismatch = error_mismatch(res, 400, "validation_failed", "cursor");
      CAF_CHECK_EQUAL(path + "?cursor=" + value + ": " + mismatch,
                      path + "?cursor=" + value + ": ");
    }
  }
}

CAF_TEST(a cursor with one character changed is refused naming cursor) {
  create_classes(3);
  const auto cursor = first_cursor();
  CAF_REQUIRE(!cursor.empty());
  auto res = api.get(classes_path + "?" + provider_query() +
                         "&limit=1&cursor=" + percent_encode(tampered(cursor)),
                     provider.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "cursor"), "");
}

// -- field selection ----------------------------------------------------------

CAF_TEST(fields on a class returns exactly those fields) {
  const auto id = api.create_class(provider, class_body());
  auto doc = api.get_json(class_path(id) + "?fields=id,title", provider.token);
  CAF_CHECK_EQUAL(sorted_keys(doc), "id,title");
  CAF_CHECK_EQUAL(doc["id"].integer(), id);
  CAF_CHECK_EQUAL(doc["title"].text(), "Morning yoga");
}

CAF_TEST(fields on the class list applies to each item) {
  create_classes(3);
  auto doc = api.get_json(classes_path + "?" + provider_query() +
                              "&limit=2&fields=id,title",
                          provider.token);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK(doc["next_cursor"].is_string());
  CAF_REQUIRE_EQUAL(doc["items"].size(), 2u);
  for (auto& item : doc["items"].items())
    CAF_CHECK_EQUAL(sorted_keys(item), "id,title");
}

CAF_TEST(fields on my bookings and on users applies too) {
  const auto id = api.create_class(provider, class_body());
  api.book(provider, id);
  auto list =
      api.get_json(my_bookings_path + "?fields=class_id", provider.token);
  CAF_CHECK_EQUAL(list["items"].dump(),
                  "[{\"class_id\":" + std::to_string(id) + "}]");
  auto me = api.get_json("/api/v1/users/me?fields=email", provider.token);
  CAF_CHECK_EQUAL(sorted_keys(me), "email");
  auto profile = api.get_json(user_path(provider.id) + "?fields=followers,name",
                              provider.token);
  CAF_CHECK_EQUAL(sorted_keys(profile), "followers,name");
}

CAF_TEST(an unknown field in fields is refused naming fields) {
  const auto id = api.create_class(provider, class_body());
  for (const auto& target :
       {class_path(id) + "?fields=nope", class_path(id) + "?fields=id,nope",
        classes_path + "?fields=nope", my_bookings_path + "?fields=nope",
        // The public profile has no email.
        user_path(provider.id) + "?fields=email"}) {
    auto res = api.get(target, provider.token);
    auto mismatch = error_mismatch(res, 400, "validation_failed", "fields");
    CAF_CHECK_EQUAL(target + ": " + mismatch, target + ": ");
  }
}

// -- idempotency --------------------------------------------------------------

CAF_TEST(a repeated idempotency key replays the first answer and does nothing) {
  const auto body = class_body().str();
  auto first = post_class(provider, body, "k1");
  CAF_REQUIRE_EQUAL(status_of(first), 201);
  CAF_CHECK(!first->has_header("idempotent-replayed"));
  auto second = post_class(provider, body, "k1");
  CAF_REQUIRE_EQUAL(status_of(second), 201);
  CAF_CHECK_EQUAL(second->body, first->body);
  CAF_CHECK_EQUAL(header_of(second, "idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(header_of(second, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(classes_of(provider), 1u);
}

CAF_TEST(the same key with another body answers 422 idempotency_mismatch) {
  CAF_REQUIRE_EQUAL(status_of(post_class(provider, class_body(5).str(), "k1")),
                    201);
  auto res = post_class(provider, class_body(6).str(), "k1");
  CAF_CHECK_EQUAL(error_mismatch(res, 422, "idempotency_mismatch"), "");
  CAF_CHECK_EQUAL(classes_of(provider), 1u);
}

CAF_TEST(the same JSON value written differently counts as the same body) {
  const auto starts_at = utc_from_now(std::chrono::hours{24});
  auto first = post_class(provider,
                          R"({"title":"Yoga","starts_at":")" + starts_at +
                              R"(","duration_min":60,"capacity":8})",
                          "k1");
  CAF_REQUIRE_EQUAL(status_of(first), 201);
  auto second = post_class(provider,
                           "{ \"capacity\" : 8,\n  \"duration_min\":60,"
                           "\"starts_at\":\"" +
                               starts_at + "\",\t\"title\": \"Yoga\" }",
                           "k1");
  CAF_CHECK_EQUAL(status_of(second), 201);
  CAF_CHECK_EQUAL(header_of(second, "idempotent-replayed"), "true");
  CAF_CHECK(second && second->body == first->body);
  CAF_CHECK_EQUAL(classes_of(provider), 1u);
}

CAF_TEST(a key of 128 printable characters is accepted) {
  std::string key;
  for (size_t i = 0; key.size() < 128; ++i)
    key += static_cast<char>('!' + i % 94);
  auto res = post_class(provider, class_body().str(), key);
  CAF_CHECK_EQUAL(status_of(res), 201);
  res = post_class(provider, class_body().str(), key);
  CAF_CHECK_EQUAL(header_of(res, "idempotent-replayed"), "true");
}

CAF_TEST(a key of 129 characters is refused naming the key header) {
  auto res = post_class(provider, class_body().str(), repeat('k', 129));
  CAF_CHECK_EQUAL(
      error_mismatch(res, 400, "validation_failed", "Idempotency-Key"), "");
  CAF_CHECK_EQUAL(classes_of(provider), 0u);
}

CAF_TEST(a key with a control character is refused naming the key header) {
  // A tab is the one control character HTTP lets into a header value.
  auto res = post_class(provider, class_body().str(), "key\twith-tab");
  CAF_CHECK_EQUAL(
      error_mismatch(res, 400, "validation_failed", "Idempotency-Key"), "");
  CAF_CHECK_EQUAL(classes_of(provider), 0u);
}

CAF_TEST(an anonymous register replays the first answer with the same token) {
  const auto key = "reg-" + unique_email();
  const auto body = json_object{}
                        .set("email", unique_email())
                        .set("password", test_password)
                        .set("name", "Ann")
                        .str();
  auto first =
      api.post("/api/v1/auth/register", {}, body, {{"Idempotency-Key", key}});
  CAF_REQUIRE_EQUAL(status_of(first), 201);
  auto second =
      api.post("/api/v1/auth/register", {}, body, {{"Idempotency-Key", key}});
  CAF_CHECK_EQUAL(status_of(second), 201);
  CAF_CHECK_EQUAL(header_of(second, "idempotent-replayed"), "true");
  CAF_CHECK(second && second->body == first->body);
  const auto token = body_of(second)["token"].text();
  CAF_CHECK_EQUAL(token, body_of(first)["token"].text());
  CAF_CHECK_EQUAL(status_of(api.get("/api/v1/users/me", token)), 200);
}

CAF_TEST(a stored 400 is replayed for the same key and body) {
  const auto bad = class_body(0).str();
  auto first = post_class(provider, bad, "bad-1");
  CAF_REQUIRE_EQUAL(error_mismatch(first, 400, "validation_failed", "capacity"),
                    "");
  auto second = post_class(provider, bad, "bad-1");
  CAF_CHECK_EQUAL(error_mismatch(second, 400, "validation_failed", "capacity"),
                  "");
  CAF_CHECK_EQUAL(header_of(second, "idempotent-replayed"), "true");
  CAF_CHECK(second && second->body == first->body);
  // The key is spent on the bad body: a corrected body is another body.
  auto fixed = post_class(provider, class_body(5).str(), "bad-1");
  CAF_CHECK_EQUAL(error_mismatch(fixed, 422, "idempotency_mismatch"), "");
}

CAF_TEST(idempotency keys are scoped by caller) {
  auto other = api.register_user("Other provider");
  const auto body = class_body().str();
  CAF_REQUIRE_EQUAL(status_of(post_class(provider, body, "shared-key")), 201);
  auto res = post_class(other, body, "shared-key");
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK(!res->has_header("idempotent-replayed"));
  CAF_CHECK_EQUAL(body_of(res)["provider_id"].integer(), other.id);
  CAF_CHECK_EQUAL(classes_of(other), 1u);
}

CAF_TEST(idempotency keys are scoped by path) {
  const auto class_id = api.create_class(provider, class_body());
  CAF_REQUIRE_EQUAL(
      status_of(post_class(provider, class_body().str(), "path-key")), 201);
  auto res = api.post(bookings_path(class_id), provider.token, "{}",
                      {{"Idempotency-Key", "path-key"}});
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK(!res->has_header("idempotent-replayed"));
  CAF_CHECK(body_of(res)["class_id"].is_integer());
}

CAF_TEST(a replayed booking books nothing more) {
  auto member = api.register_user("Member");
  const auto class_id = api.create_class(provider, class_body(5));
  auto first = api.post(bookings_path(class_id), member.token, "{}",
                        {{"Idempotency-Key", "book-once"}});
  CAF_REQUIRE_EQUAL(status_of(first), 201);
  auto second = api.post(bookings_path(class_id), member.token, "{}",
                         {{"Idempotency-Key", "book-once"}});
  CAF_CHECK_EQUAL(status_of(second), 201);
  CAF_CHECK_EQUAL(header_of(second, "idempotent-replayed"), "true");
  CAF_CHECK(second && second->body == first->body);
  CAF_CHECK_EQUAL(
      api.get_json(class_path(class_id), member.token)["booked"].dump(), "1");
}

// -- timestamps and ids -------------------------------------------------------

CAF_TEST(timestamps are RFC 3339 UTC in whole seconds and ids are numbers) {
  auto registered =
      body_of(api.register_as(unique_email(), test_password, "Ann"));
  auto member_token = registered["token"].text();
  auto created = body_of(
      api.post(classes_path, provider.token,
               class_body()
                   .set("starts_at", utc_from_now(std::chrono::hours{30}))
                   .str()));
  const auto class_id = created["id"].integer();
  auto booking = body_of(api.post(bookings_path(class_id), member_token, "{}"));
  auto mine = api.get_json(my_bookings_path, member_token);
  auto profile = api.get_json(user_path(provider.id), member_token);
  const std::vector<std::pair<std::string, const json_value*>> timestamps{
      {"user.created_at", &registered["user"]["created_at"]},
      {"user.updated_at", &registered["user"]["updated_at"]},
      {"class.starts_at", &created["starts_at"]},
      {"class.created_at", &created["created_at"]},
      {"class.updated_at", &created["updated_at"]},
      {"booking.created_at", &booking["created_at"]},
      {"mine.created_at", &mine["items"][0]["created_at"]},
      {"mine.class.updated_at", &mine["items"][0]["class"]["updated_at"]},
      {"profile.created_at", &profile["created_at"]}};
  for (auto& [what, value] : timestamps)
    CAF_CHECK_EQUAL(what + " " + value->dump() + " " +
                        (is_utc_timestamp(value->text()) ? "ok" : "malformed"),
                    what + " " + value->dump() + " ok");
  const std::vector<std::pair<std::string, const json_value*>> ids{
      {"user.id", &registered["user"]["id"]},
      {"class.id", &created["id"]},
      {"class.provider_id", &created["provider_id"]},
      {"booking.id", &booking["id"]},
      {"booking.class_id", &booking["class_id"]},
      {"booking.user_id", &booking["user_id"]},
      {"profile.id", &profile["id"]}};
  for (auto& [what, value] : ids)
    CAF_CHECK_EQUAL(what + " " + value->dump() + " " +
                        (value->is_integer() && value->integer() > 0
                             ? "ok"
                             : "not a positive integer"),
                    what + " " + value->dump() + " ok");
}

// -- the order of judgement ---------------------------------------------------

CAF_TEST(a class posted as text plain answers 415) {
  auto res = api.post(classes_path, provider.token, class_body().str(),
                      {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
  CAF_CHECK_EQUAL(classes_of(provider), 0u);
}

CAF_TEST(authentication is judged before the content type) {
  auto res =
      api.post(classes_path, {}, "hello", {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
}

CAF_TEST(the content type is judged before the body) {
  auto res = api.post(classes_path, provider.token, "not json at all",
                      {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
  res = api.send("PATCH", "/api/v1/users/me", provider.token, "{\"name\":1}",
                 {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
}

CAF_TEST(a register posted as text plain answers 415) {
  auto res = api.post("/api/v1/auth/register", {},
                      json_object{}
                          .set("email", unique_email())
                          .set("password", test_password)
                          .set("name", "Ann")
                          .str(),
                      {{"Content-Type", "text/plain"}});
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
}

CAF_TEST(the route is judged before authentication) {
  auto res = api.send("PUT", classes_path, {}, "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  const auto allow = header_of(res, "allow");
  CAF_CHECK(allow.find("GET") != std::string::npos);
  CAF_CHECK(allow.find("POST") != std::string::npos);
  res = api.get("/api/v1/no-such-thing", {});
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(authentication is judged before path ids) {
  auto res = api.get("/api/v1/classes/abc", {});
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
