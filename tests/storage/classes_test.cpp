// classes.* operations through the real executor, each test on a fresh
// database (storage_fixture.hpp).
#define CAF_SUITE storage_classes
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "storage/classes.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::error_code;
using numina::unix_seconds;
using numina::testing::all_pages;
using numina::testing::future;
using numina::testing::storage_fixture;

namespace {

constexpr int64_t hour = 3600;

struct fixture : storage_fixture {
  class_row class_of(const db_call& call) {
    return only_row(call, decode_classes);
  }

  struct listed {
    int64_t id;
    unix_seconds starts_at;
    int64_t provider;
  };

  // 25 classes of two providers over 7 start times (many ties), created
  // out of time order.
  std::vector<listed> schedule(int64_t provider_a, int64_t provider_b) {
    std::vector<listed> out;
    for (int k = 0; k < 25; ++k) {
      const auto provider = k % 2 == 0 ? provider_a : provider_b;
      const auto at = future(((k * 5) % 7) * hour);
      out.push_back({make_class(provider, at), at, provider});
    }
    return out;
  }

  // The ids of `all` the filter admits, in the contract's order.
  static std::vector<int64_t> expected(std::vector<listed> all,
                                       const class_filter& f) {
    std::sort(all.begin(), all.end(), [](const listed& a, const listed& b) {
      return std::make_pair(a.starts_at, a.id) <
             std::make_pair(b.starts_at, b.id);
    });
    std::vector<int64_t> ids;
    for (const auto& c : all)
      if ((!f.from || c.starts_at >= *f.from) &&
          (!f.to || c.starts_at <= *f.to) &&
          (!f.provider_id || c.provider == *f.provider_id))
        ids.push_back(c.id);
    return ids;
  }

  std::vector<int64_t> ids_of_pages(const class_filter& f, int limit,
                                    bool& well_formed) {
    auto items = all_pages<class_row>(
        [&](const std::optional<page_key>& after) {
          return decode_class_page(must(classes_list(f, after, limit)), limit);
        },
        limit, well_formed);
    std::vector<int64_t> ids;
    for (const auto& c : items)
      ids.push_back(c.id);
    return ids;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_classes_tests, fixture)

CAF_TEST(create returns the class with no bookings and no rating yet) {
  const auto provider = make_user();
  new_class c;
  c.provider_id = provider;
  c.title = "Morning yoga";
  c.description = "Bring a mat";
  c.location = "Studio 2";
  c.starts_at = future(7 * hour);
  c.duration_min = 45;
  c.capacity = 12;
  const auto row = class_of(classes_create(c));
  CAF_CHECK_GREATER(row.id, 0);
  CAF_CHECK_EQUAL(row.provider_id, provider);
  CAF_CHECK_EQUAL(row.title, "Morning yoga");
  CAF_CHECK_EQUAL(row.description, "Bring a mat");
  CAF_CHECK_EQUAL(row.location, "Studio 2");
  CAF_CHECK_EQUAL(row.starts_at, future(7 * hour));
  CAF_CHECK_EQUAL(row.duration_min, 45);
  CAF_CHECK_EQUAL(row.capacity, 12);
  CAF_CHECK_EQUAL(row.booked, 0);
  CAF_CHECK(!row.rating_average);
  CAF_CHECK_EQUAL(row.rating_count, 0);
  CAF_CHECK_EQUAL(row.created_at, row.updated_at);
  CAF_CHECK_LESS(std::abs(row.created_at - numina::now_seconds()), 60);
}

CAF_TEST(create for a missing provider is not found) {
  new_class c;
  c.provider_id = 4242;
  c.title = "Ghost";
  c.starts_at = future();
  c.duration_min = 30;
  c.capacity = 5;
  CAF_CHECK_EQUAL(refusal(classes_create(c)), error_code::not_found);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM classes"), "0");
}

CAF_TEST(create with a value the schema forbids is a validation failure) {
  new_class c;
  c.provider_id = make_user();
  c.title = "Too big";
  c.starts_at = future();
  c.duration_min = 30;
  c.capacity = 10001;
  CAF_CHECK_EQUAL(refusal(classes_create(c)), error_code::validation_failed);
}

CAF_TEST(get returns the class with its rating aggregate) {
  const auto id = make_class(make_user(), future(hour), 8);
  const auto plain = class_of(classes_get(id));
  CAF_CHECK_EQUAL(plain.id, id);
  CAF_CHECK(!plain.rating_average);
  sql("INSERT INTO rating_aggregates (class_id, average, count, h4, h5)"
      " VALUES (" +
      std::to_string(id) + ", 4.5, 2, 1, 1)");
  const auto rated = class_of(classes_get(id));
  CAF_CHECK(rated.rating_average == std::optional<double>{4.5});
  CAF_CHECK_EQUAL(rated.rating_count, 2);
  CAF_CHECK(decode_classes(must(classes_get(id + 1))).empty());
}

CAF_TEST(the list orders by start then id and pages without repeats or gaps) {
  const auto all = schedule(make_user(), make_user());
  const auto want = expected(all, {});
  CAF_CHECK_EQUAL(want.size(), 25u);
  for (int limit : {1, 5, 10, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    CAF_CHECK_EQUAL(ids_of_pages({}, limit, well_formed), want);
    CAF_CHECK(well_formed);
  }
}

CAF_TEST(the list filters by start bounds inclusively and by provider) {
  const auto a = make_user();
  const auto b = make_user();
  const auto all = schedule(a, b);
  std::vector<class_filter> filters;
  filters.push_back({future(2 * hour), future(4 * hour), std::nullopt});
  filters.push_back({future(5 * hour), std::nullopt, std::nullopt});
  filters.push_back({std::nullopt, future(1 * hour), std::nullopt});
  filters.push_back({std::nullopt, std::nullopt, b});
  filters.push_back({future(1 * hour), future(5 * hour), a});
  filters.push_back({future(9 * hour), std::nullopt, std::nullopt}); // none
  filters.push_back({std::nullopt, std::nullopt, b + 100});          // none
  for (const auto& f : filters) {
    const auto want = expected(all, f);
    CAF_MESSAGE(want.size() << " classes expected");
    for (int limit : {1, 5, 10, 100}) {
      bool well_formed = false;
      CAF_CHECK_EQUAL(ids_of_pages(f, limit, well_formed), want);
      CAF_CHECK(well_formed);
    }
  }
}

CAF_TEST(a cursor from before the from bound still starts at from) {
  const auto all = schedule(make_user(), make_user());
  class_filter f;
  f.from = future(3 * hour);
  const auto want = expected(all, f);
  auto p = decode_class_page(must(classes_list(f, page_key{future(0), 1}, 100)),
                             100);
  std::vector<int64_t> got;
  for (const auto& c : p.items)
    got.push_back(c.id);
  CAF_CHECK_EQUAL(got, want);
  CAF_CHECK(!p.next);
}

CAF_TEST(a cursor far outside the storable years is an open end) {
  const auto all = schedule(make_user(), make_user());
  auto before_all = decode_class_page(
      must(classes_list({}, page_key{-99'000'000'000'000, 0}, 100)), 100);
  CAF_CHECK_EQUAL(before_all.items.size(), all.size());
  auto after_all = decode_class_page(
      must(classes_list({}, page_key{99'000'000'000'000, 0}, 100)), 100);
  CAF_CHECK(after_all.items.empty());
}

CAF_TEST(the list refuses a limit outside 1 to 100) {
  CAF_CHECK_EQUAL(refusal(classes_list({}, std::nullopt, 0)),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(classes_list({}, std::nullopt, 101)),
                  error_code::validation_failed);
}

CAF_TEST(a patch changes only the given fields and the update time) {
  const auto provider = make_user();
  const auto id = make_class(provider, future(hour), 10);
  sql("UPDATE classes SET created_at = now() - interval '1 hour',"
      " updated_at = now() - interval '1 hour'");
  const auto before = class_of(classes_get(id));
  class_changes ch;
  ch.title = "Renamed";
  ch.starts_at = future(30 * hour);
  const auto after = class_of(classes_patch(id, provider, ch));
  CAF_CHECK_EQUAL(after.title, "Renamed");
  CAF_CHECK_EQUAL(after.starts_at, future(30 * hour));
  CAF_CHECK_EQUAL(after.description, before.description);
  CAF_CHECK_EQUAL(after.location, before.location);
  CAF_CHECK_EQUAL(after.duration_min, before.duration_min);
  CAF_CHECK_EQUAL(after.capacity, before.capacity);
  CAF_CHECK_EQUAL(after.created_at, before.created_at);
  CAF_CHECK_GREATER_OR_EQUAL(after.updated_at, before.updated_at + 3599);
  class_changes rest;
  rest.description = "New text";
  rest.location = "Hall";
  rest.duration_min = 90;
  rest.capacity = 3;
  const auto all = class_of(classes_patch(id, provider, rest));
  CAF_CHECK_EQUAL(all.title, "Renamed");
  CAF_CHECK_EQUAL(all.description, "New text");
  CAF_CHECK_EQUAL(all.location, "Hall");
  CAF_CHECK_EQUAL(all.duration_min, 90);
  CAF_CHECK_EQUAL(all.capacity, 3);
  CAF_CHECK_EQUAL(class_of(classes_get(id)).capacity, 3); // visible at once
}

CAF_TEST(a patch is refused for a missing class another provider or a
             capacity below the bookings) {
  const auto provider = make_user();
  const auto other = make_user();
  const auto id = make_class(provider, future(hour), 10);
  class_changes ch;
  ch.title = "X";
  CAF_CHECK_EQUAL(refusal(classes_patch(id + 1, provider, ch)),
                  error_code::not_found);
  CAF_CHECK_EQUAL(refusal(classes_patch(id, other, ch)), error_code::forbidden);
  must(bookings_create(id, provider));
  must(bookings_create(id, other));
  class_changes shrink;
  shrink.capacity = 1;
  shrink.title = "Shrunk";
  CAF_CHECK_EQUAL(refusal(classes_patch(id, provider, shrink)),
                  error_code::conflict);
  const auto unchanged = class_of(classes_get(id));
  CAF_CHECK_EQUAL(unchanged.capacity, 10);
  CAF_CHECK_EQUAL(unchanged.title, "Class at " + std::to_string(future(hour)));
  shrink.capacity = 2; // exactly the bookings: allowed
  const auto exact = class_of(classes_patch(id, provider, shrink));
  CAF_CHECK_EQUAL(exact.capacity, 2);
  CAF_CHECK_EQUAL(exact.booked, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
