// The classes endpoints of the real binary (api.md section 3, Classes, and
// section 5): create with every bound, read, PATCH, the ordered and
// filtered list, and their Cache-Control. The tests share the suite's
// numina; each registers its own provider and lists by provider_id.
#define CAF_SUITE e2e_classes
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/api_support.hpp"

using namespace numina::e2e;

namespace {

constexpr std::string_view e_acute = "\xc3\xa9";   // 2 bytes
constexpr std::string_view kanji = "\xe6\xbc\xa2"; // 3 bytes
const std::string classes_path = "/api/v1/classes";
constexpr int64_t unknown_id = 9223372036854775807;
constexpr int64_t hour = 3600;

const char* const class_keys =
    "booked,capacity,created_at,description,duration_min,id,location,"
    "provider_id,rating,spots_left,starts_at,title,updated_at";

// The UTC year after next: far enough that any date in it is in the future.
int year_after_next() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900 + 2;
}

struct fixture : api_fixture {
  account provider = api.register_user("Provider");

  std::optional<http_response> create(const json_object& body) {
    return api.post(classes_path, provider.token, body.str());
  }

  std::optional<http_response> patch(int64_t id, const json_object& body,
                                     const account& as) {
    return api.patch(class_path(id), as.token, body.str());
  }

  // The ids of one page of the provider's classes with `query` added.
  std::vector<int64_t> listed(const std::string& query = {}) {
    return item_ids(api.get_json(
        classes_path + "?provider_id=" + std::to_string(provider.id) + query,
        provider.token));
  }

  // A class of the provider starting at `starts_at` (unix seconds).
  int64_t class_at(int64_t starts_at) {
    return api.create_class(provider,
                            class_body().set("starts_at", utc_text(starts_at)));
  }

  // "" when creating a class with `member` set to `json` answers 201;
  // otherwise what happened.
  std::string accepts(std::string_view member, std::string_view json) {
    auto res = create(class_body().raw(member, json));
    if (status_of(res) == 201)
      return {};
    return std::string{member} + "=" + std::string{json.substr(0, 40)} +
           ": status " + std::to_string(status_of(res)) +
           (res ? " " + res->body : "");
  }

  // "" when creating a class with `member` set to `json` answers 400
  // validation_failed naming `member`; otherwise what differs.
  std::string refuses(std::string_view member, std::string_view json) {
    auto mismatch = error_mismatch(create(class_body().raw(member, json)), 400,
                                   "validation_failed", member);
    if (mismatch.empty())
      return {};
    return std::string{member} + "=" + std::string{json.substr(0, 40)} + ": " +
           mismatch;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_classes_tests, fixture)

// -- create -------------------------------------------------------------------

CAF_TEST(
    creating a class answers 201 with the class and the caller as provider) {
  const auto starts_at = utc_from_now(std::chrono::hours{48});
  auto res = create(json_object{}
                        .set("title", "Spin")
                        .set("description", "Forty minutes of hills")
                        .set("location", "Studio 2")
                        .set("starts_at", starts_at)
                        .set("duration_min", 40)
                        .set("capacity", 12));
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), class_keys);
  CAF_CHECK(doc["id"].is_integer());
  CAF_CHECK_GREATER(doc["id"].integer(), 0);
  CAF_CHECK_EQUAL(doc["provider_id"].dump(), std::to_string(provider.id));
  CAF_CHECK_EQUAL(doc["title"].text(), "Spin");
  CAF_CHECK_EQUAL(doc["description"].text(), "Forty minutes of hills");
  CAF_CHECK_EQUAL(doc["location"].text(), "Studio 2");
  CAF_CHECK_EQUAL(doc["starts_at"].text(), starts_at);
  CAF_CHECK_EQUAL(doc["duration_min"].dump(), "40");
  CAF_CHECK_EQUAL(doc["capacity"].dump(), "12");
  CAF_CHECK_EQUAL(doc["booked"].dump(), "0");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "12");
  CAF_CHECK_EQUAL(doc["rating"].dump(), R"({"average":null,"count":0})");
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
  CAF_CHECK(is_utc_timestamp(doc["updated_at"].text()));
}

CAF_TEST(description and location default to empty strings) {
  auto res = create(class_body());
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["description"].dump(), "\"\"");
  CAF_CHECK_EQUAL(body_of(res)["location"].dump(), "\"\"");
}

CAF_TEST(a title of 1 or 200 characters is accepted) {
  CAF_CHECK_EQUAL(accepts("title", json_quote("T")), "");
  CAF_CHECK_EQUAL(accepts("title", json_quote(repeat(kanji, 200))), "");
}

CAF_TEST(a title of 0 or 201 characters is refused naming title) {
  CAF_CHECK_EQUAL(refuses("title", json_quote("")), "");
  CAF_CHECK_EQUAL(refuses("title", json_quote(repeat(e_acute, 201))), "");
}

CAF_TEST(a description of 5000 characters is accepted) {
  CAF_CHECK_EQUAL(accepts("description", json_quote(repeat(e_acute, 5000))),
                  "");
}

CAF_TEST(a description of 5001 characters is refused naming description) {
  CAF_CHECK_EQUAL(refuses("description", json_quote(repeat('d', 5001))), "");
}

CAF_TEST(a location of 200 characters is accepted) {
  CAF_CHECK_EQUAL(accepts("location", json_quote(repeat(kanji, 200))), "");
}

CAF_TEST(a location of 201 characters is refused naming location) {
  CAF_CHECK_EQUAL(refuses("location", json_quote(repeat('l', 201))), "");
}

CAF_TEST(a duration of 1 or 1440 minutes is accepted) {
  CAF_CHECK_EQUAL(accepts("duration_min", "1"), "");
  CAF_CHECK_EQUAL(accepts("duration_min", "1440"), "");
}

CAF_TEST(a duration of 0 or 1441 minutes is refused naming duration_min) {
  CAF_CHECK_EQUAL(refuses("duration_min", "0"), "");
  CAF_CHECK_EQUAL(refuses("duration_min", "1441"), "");
  CAF_CHECK_EQUAL(refuses("duration_min", "-60"), "");
}

CAF_TEST(a capacity of 1 or 10000 is accepted) {
  CAF_CHECK_EQUAL(accepts("capacity", "1"), "");
  CAF_CHECK_EQUAL(accepts("capacity", "10000"), "");
}

CAF_TEST(a capacity of 0 or 10001 is refused naming capacity) {
  CAF_CHECK_EQUAL(refuses("capacity", "0"), "");
  CAF_CHECK_EQUAL(refuses("capacity", "10001"), "");
  CAF_CHECK_EQUAL(refuses("capacity", "-1"), "");
}

CAF_TEST(a capacity that is not an integer is refused naming capacity) {
  for (auto json :
       {"100.0", "2.5", "1e2", "\"5\"", "true", "null", "[5]",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999"})
    CAF_CHECK_EQUAL(refuses("capacity", json), "");
}

CAF_TEST(a duration given as a fraction is refused naming duration_min) {
  CAF_CHECK_EQUAL(refuses("duration_min", "60.0"), "");
}

CAF_TEST(a missing title is refused naming title) {
  auto res = create(class_body().erase("title"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "title"), "");
}

CAF_TEST(a missing starts_at is refused naming starts_at) {
  auto res = create(class_body().erase("starts_at"));
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "starts_at"),
                  "");
}

CAF_TEST(an unknown field in a class is refused naming it) {
  CAF_CHECK_EQUAL(refuses("level", json_quote("beginner")), "");
  CAF_CHECK_EQUAL(refuses("booked", "3"), "");
  CAF_CHECK_EQUAL(refuses("provider_id", "1"), "");
}

CAF_TEST(a starts_at in the past is refused naming starts_at) {
  CAF_CHECK_EQUAL(refuses("starts_at", json_quote("2020-01-01T00:00:00Z")), "");
  CAF_CHECK_EQUAL(refuses("starts_at", json_quote(utc_from_now(
                                           -std::chrono::seconds{hour}))),
                  "");
}

CAF_TEST(a malformed starts_at is refused naming starts_at) {
  const auto y = std::to_string(year_after_next());
  for (const std::string& text :
       {std::string{"tomorrow"}, std::string{""}, y + "-13-01T10:00:00Z",
        y + "-02-30T10:00:00Z", y + "-06-01T24:00:00Z", y + "-06-01T10:00:00",
        y + "-06-01", y + "-06-01T10:00Z", y + "-06-01T10:00:00+0200",
        y + "-06-01T10:00:00.Z"})
    CAF_CHECK_EQUAL(refuses("starts_at", json_quote(text)), "");
  CAF_CHECK_EQUAL(refuses("starts_at", "1893456000"), "");
}

CAF_TEST(a starts_at with an offset is normalised to UTC) {
  const int y = year_after_next();
  const auto t = [&](int year, const char* rest) {
    return std::to_string(year) + rest;
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {t(y, "-06-01T09:30:00+02:00"), t(y, "-06-01T07:30:00Z")},
      {t(y, "-06-01T09:30:00-05:30"), t(y, "-06-01T15:00:00Z")},
      {t(y, "-01-01T01:00:00+02:00"), t(y - 1, "-12-31T23:00:00Z")},
      {t(y, "-06-01T07:30:00+00:00"), t(y, "-06-01T07:30:00Z")}};
  for (auto& [given, expected] : cases) {
    auto res = create(class_body().set("starts_at", given));
    CAF_CHECK_EQUAL(status_of(res), 201);
    CAF_CHECK_EQUAL(given + " -> " + body_of(res)["starts_at"].text(),
                    given + " -> " + expected);
  }
}

CAF_TEST(fractions of a second in starts_at are dropped) {
  const auto y = std::to_string(year_after_next());
  auto res = create(class_body().set("starts_at", y + "-06-01T07:30:00.999Z"));
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(body_of(res)["starts_at"].text(), y + "-06-01T07:30:00Z");
  res = create(class_body().set("starts_at", y + "-06-01T09:30:05.5+02:00"));
  CAF_CHECK_EQUAL(body_of(res)["starts_at"].text(), y + "-06-01T07:30:05Z");
}

// -- read ---------------------------------------------------------------------

CAF_TEST(a class reads back as created and is cached publicly for 15 minutes) {
  auto created = create(class_body(7).set("location", "Hall"));
  CAF_REQUIRE_EQUAL(status_of(created), 201);
  const auto id = body_of(created)["id"].integer();
  auto reader = api.register_user("Reader");
  auto res = api.get(class_path(id), reader.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "public, max-age=900");
  CAF_CHECK_EQUAL(body_of(res).dump(), body_of(created).dump());
}

CAF_TEST(an unknown class answers 404 not_found) {
  auto res = api.get(class_path(unknown_id), provider.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(
    a class id that is not a positive 64 bit integer answers 400 naming id) {
  for (std::string id : {"abc", "0", "-5", "9223372036854775808"}) {
    auto res = api.get(classes_path + "/" + id, provider.token);
    CAF_CHECK_EQUAL(id + ": " +
                        error_mismatch(res, 400, "validation_failed", "id"),
                    id + ": ");
  }
}

// -- PATCH --------------------------------------------------------------------

CAF_TEST(a patch by the provider answers the changed class) {
  const auto id = api.create_class(provider, class_body(10));
  const auto starts_at = utc_from_now(std::chrono::hours{72});
  auto res = patch(id,
                   json_object{}
                       .set("title", "Evening yoga")
                       .set("starts_at", starts_at)
                       .set("capacity", 20),
                   provider);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), class_keys);
  CAF_CHECK_EQUAL(doc["id"].integer(), id);
  CAF_CHECK_EQUAL(doc["title"].text(), "Evening yoga");
  CAF_CHECK_EQUAL(doc["starts_at"].text(), starts_at);
  CAF_CHECK_EQUAL(doc["capacity"].dump(), "20");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "20");
  CAF_CHECK_EQUAL(doc["duration_min"].dump(), "60"); // untouched
}

CAF_TEST(a patch is visible at once in the class and in the list) {
  const auto id = api.create_class(provider, class_body());
  // Read first, so that a cache holds the old representations.
  CAF_REQUIRE_EQUAL(
      api.get_json(class_path(id), provider.token)["title"].text(),
      "Morning yoga");
  CAF_REQUIRE_EQUAL(listed(), std::vector<int64_t>{id});
  CAF_REQUIRE_EQUAL(
      status_of(patch(id, json_object{}.set("title", "Renamed"), provider)),
      200);
  CAF_CHECK_EQUAL(api.get_json(class_path(id), provider.token)["title"].text(),
                  "Renamed");
  auto list =
      api.get_json(classes_path + "?provider_id=" + std::to_string(provider.id),
                   provider.token);
  CAF_CHECK_EQUAL(list["items"][0]["title"].text(), "Renamed");
}

CAF_TEST(a patch by another user answers 403 forbidden and changes nothing) {
  const auto id = api.create_class(provider, class_body());
  auto intruder = api.register_user("Intruder");
  auto res = patch(id, json_object{}.set("title", "Mine now"), intruder);
  CAF_CHECK_EQUAL(error_mismatch(res, 403, "forbidden"), "");
  CAF_CHECK_EQUAL(api.get_json(class_path(id), provider.token)["title"].text(),
                  "Morning yoga");
}

CAF_TEST(a patch of an unknown class answers 404 not_found) {
  auto res = patch(unknown_id, json_object{}.set("title", "X"), provider);
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
}

CAF_TEST(a patch of a capacity below the bookings answers 409 conflict) {
  const auto id = api.create_class(provider, class_body(3));
  auto first = api.register_user("First");
  auto second = api.register_user("Second");
  api.book(first, id);
  api.book(second, id);
  auto res = patch(id, json_object{}.set("capacity", 1), provider);
  CAF_CHECK_EQUAL(error_mismatch(res, 409, "conflict"), "");
  CAF_CHECK_EQUAL(
      api.get_json(class_path(id), provider.token)["capacity"].dump(), "3");
}

CAF_TEST(a patch of the capacity down to the bookings leaves no spot) {
  const auto id = api.create_class(provider, class_body(3));
  api.book(api.register_user("First"), id);
  api.book(api.register_user("Second"), id);
  auto res = patch(id, json_object{}.set("capacity", 2), provider);
  CAF_CHECK_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(body_of(res)["capacity"].dump(), "2");
  CAF_CHECK_EQUAL(body_of(res)["booked"].dump(), "2");
  CAF_CHECK_EQUAL(body_of(res)["spots_left"].dump(), "0");
}

CAF_TEST(a patch out of the create bounds is refused naming the field) {
  const auto id = api.create_class(provider, class_body());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"title", "\"\""},
      {"title", json_quote(repeat('t', 201))},
      {"description", json_quote(repeat('d', 5001))},
      {"location", json_quote(repeat('l', 201))},
      {"duration_min", "0"},
      {"duration_min", "1441"},
      {"capacity", "0"},
      {"capacity", "10001"},
      {"capacity", "5.0"},
      {"starts_at", "\"2020-01-01T00:00:00Z\""},
      {"starts_at", "\"soon\""},
      {"booked", "0"}};
  for (auto& [member, json] : cases) {
    auto mismatch =
        error_mismatch(patch(id, json_object{}.raw(member, json), provider),
                       400, "validation_failed", member);
    CAF_CHECK_EQUAL(member + ": " + mismatch, member + ": ");
  }
  auto after = api.get_json(class_path(id), provider.token);
  CAF_CHECK_EQUAL(after["title"].text(), "Morning yoga");
  CAF_CHECK_EQUAL(after["capacity"].dump(), "10");
}

CAF_TEST(a patch of a malformed class id answers 400 naming id) {
  auto res = api.patch(classes_path + "/abc", provider.token, "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
}

// -- list ---------------------------------------------------------------------

CAF_TEST(the list is ordered by starts_at and then id) {
  const auto base = unix_now() + 24 * hour;
  // Created out of order, two at the same time.
  std::vector<std::pair<int64_t, int64_t>> created; // (starts_at, id)
  for (int64_t offset : {5, 2, 9, 2, 7, 5})
    created.emplace_back(base + offset * hour, class_at(base + offset * hour));
  std::sort(created.begin(), created.end());
  std::vector<int64_t> expected;
  for (auto& c : created)
    expected.push_back(c.second);
  CAF_CHECK_EQUAL(listed(), expected);
}

CAF_TEST(the list is a page of class objects cached publicly for 15 minutes) {
  const auto id = api.create_class(provider, class_body(4));
  auto res =
      api.get(classes_path + "?provider_id=" + std::to_string(provider.id),
              provider.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "public, max-age=900");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK(doc["next_cursor"].is_null());
  CAF_REQUIRE_EQUAL(doc["items"].size(), 1u);
  CAF_CHECK_EQUAL(doc["items"][0].dump(),
                  api.get_json(class_path(id), provider.token).dump());
}

CAF_TEST(the list filters by provider) {
  auto other = api.register_user("Other provider");
  const auto mine = api.create_class(provider, class_body());
  const auto theirs = api.create_class(other, class_body());
  CAF_CHECK_EQUAL(listed(), std::vector<int64_t>{mine});
  auto list =
      api.get_json(classes_path + "?provider_id=" + std::to_string(other.id),
                   provider.token);
  CAF_CHECK_EQUAL(item_ids(list), std::vector<int64_t>{theirs});
}

CAF_TEST(the list filters by from and to) {
  const auto base = unix_now() + 24 * hour;
  const auto first = class_at(base + 1 * hour);
  const auto second = class_at(base + 2 * hour);
  const auto third = class_at(base + 3 * hour);
  const auto half_past = [&](int h) {
    return utc_text(base + h * hour + 1800);
  };
  CAF_CHECK_EQUAL(listed("&from=" + half_past(1)),
                  (std::vector<int64_t>{second, third}));
  CAF_CHECK_EQUAL(listed("&to=" + half_past(2)),
                  (std::vector<int64_t>{first, second}));
  CAF_CHECK_EQUAL(listed("&from=" + half_past(1) + "&to=" + half_past(2)),
                  std::vector<int64_t>{second});
  CAF_CHECK_EQUAL(listed("&from=" + half_past(3)), std::vector<int64_t>{});
}

CAF_TEST(from and to include a class starting exactly at the bound) {
  const auto base = unix_now() + 24 * hour;
  class_at(base + 1 * hour);
  const auto second = class_at(base + 2 * hour);
  class_at(base + 3 * hour);
  const auto at = utc_text(base + 2 * hour);
  CAF_CHECK_EQUAL(listed("&from=" + at + "&to=" + at),
                  std::vector<int64_t>{second});
}

CAF_TEST(from with an offset is compared in UTC) {
  const auto base = unix_now() + 24 * hour;
  class_at(base);
  const auto later = class_at(base + 2 * hour);
  // base + 1 h written with a +02:00 offset (the + escaped in the query).
  const auto t = base + hour + 2 * hour;
  auto text = utc_text(t);
  text = text.substr(0, text.size() - 1) + "%2B02:00";
  CAF_CHECK_EQUAL(listed("&from=" + text), std::vector<int64_t>{later});
}

CAF_TEST(malformed list filters are refused naming the parameter) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"from", "yesterday"},  {"from", "2030-13-01T00:00:00Z"},
      {"to", "2030-01-01"},   {"to", ""},
      {"provider_id", "abc"}, {"provider_id", "0"},
      {"provider_id", "-3"},  {"provider_id", "9223372036854775808"}};
  for (auto& [name, value] : cases) {
    auto res = api.get(classes_path + "?" + name + "=" + value, provider.token);
    auto mismatch = error_mismatch(res, 400, "validation_failed", name);
    CAF_CHECK_EQUAL(name + "=" + value + ": " + mismatch,
                    name + "=" + value + ": ");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
