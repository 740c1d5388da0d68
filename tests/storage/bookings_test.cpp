// bookings.* operations through the real executor, each test on a fresh
// database (storage_fixture.hpp).
#define CAF_SUITE storage_bookings
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <future>
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
  booking_row booking_of(const db_call& call) {
    return only_row(call, decode_bookings);
  }

  int64_t booked(int64_t class_id) {
    return decode_classes(must(classes_get(class_id))).at(0).booked;
  }

  std::string bookings_of(int64_t class_id) {
    return sql_value("SELECT count(*) FROM bookings WHERE class_id = " +
                     std::to_string(class_id));
  }

  // `count` users made behind the operations' backs; their ids.
  std::vector<int64_t> bulk_users(int count) {
    std::vector<int64_t> ids;
    for (const auto& id :
         sql_rows("INSERT INTO users (email, name, password_hash)"
                  " SELECT 'booker' || g || '@example.com', 'B' || g, 'h'"
                  " FROM generate_series(1, " +
                  std::to_string(count) + ") g RETURNING id"))
      ids.push_back(std::stoll(id));
    return ids;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_bookings_tests, fixture)

CAF_TEST(a booking takes a seat and touches its class) {
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour), 3);
  sql("UPDATE classes SET updated_at = now() - interval '1 hour'");
  const auto before = decode_classes(must(classes_get(id))).at(0);
  const auto b = booking_of(bookings_create(id, member));
  CAF_CHECK_GREATER(b.id, 0);
  CAF_CHECK_EQUAL(b.class_id, id);
  CAF_CHECK_EQUAL(b.user_id, member);
  CAF_CHECK_LESS(std::abs(b.created_at - numina::now_seconds()), 60);
  const auto after = decode_classes(must(classes_get(id))).at(0);
  CAF_CHECK_EQUAL(after.booked, 1);
  CAF_CHECK_GREATER_OR_EQUAL(after.updated_at, before.updated_at + 3599);
  CAF_CHECK_EQUAL(bookings_of(id), "1");
}

CAF_TEST(a provider may book their own class) {
  const auto provider = make_user();
  const auto id = make_class(provider, future(hour), 3);
  CAF_CHECK_EQUAL(booking_of(bookings_create(id, provider)).user_id, provider);
}

CAF_TEST(booking twice is already booked and takes no second seat) {
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour), 3);
  must(bookings_create(id, member));
  CAF_CHECK_EQUAL(refusal(bookings_create(id, member)),
                  error_code::already_booked);
  CAF_CHECK_EQUAL(booked(id), 1);
  CAF_CHECK_EQUAL(bookings_of(id), "1");
}

CAF_TEST(booking a missing class or as a missing user is not found) {
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour), 3);
  CAF_CHECK_EQUAL(refusal(bookings_create(id + 1, member)),
                  error_code::not_found);
  CAF_CHECK_EQUAL(refusal(bookings_create(id, member + 1000)),
                  error_code::not_found);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM bookings"), "0");
  CAF_CHECK_EQUAL(booked(id), 0);
}

CAF_TEST(a full class refuses the next booking and keeps no row of it) {
  const auto id = make_class(make_user(), future(hour), 2);
  const auto users = bulk_users(3);
  must(bookings_create(id, users[0]));
  must(bookings_create(id, users[1]));
  CAF_CHECK_EQUAL(refusal(bookings_create(id, users[2])),
                  error_code::class_full);
  CAF_CHECK_EQUAL(booked(id), 2);
  CAF_CHECK_EQUAL(bookings_of(id), "2");
  // A member already in a full class hears already_booked, not class_full.
  CAF_CHECK_EQUAL(refusal(bookings_create(id, users[0])),
                  error_code::already_booked);
}

CAF_TEST(cancelling frees the seat and only the owner may cancel) {
  const auto owner = make_user();
  const auto other = make_user();
  const auto id = make_class(make_user(), future(hour), 1);
  const auto b = booking_of(bookings_create(id, owner));
  CAF_CHECK_EQUAL(refusal(bookings_delete(b.id + 1, owner)),
                  error_code::not_found);
  CAF_CHECK_EQUAL(refusal(bookings_delete(b.id, other)), error_code::forbidden);
  CAF_CHECK_EQUAL(booked(id), 1);
  sql("UPDATE classes SET updated_at = now() - interval '1 hour'");
  const auto before = decode_classes(must(classes_get(id))).at(0);
  must(bookings_delete(b.id, owner));
  const auto after = decode_classes(must(classes_get(id))).at(0);
  CAF_CHECK_EQUAL(after.booked, 0);
  CAF_CHECK_GREATER_OR_EQUAL(after.updated_at, before.updated_at + 3599);
  CAF_CHECK_EQUAL(bookings_of(id), "0");
  CAF_CHECK_EQUAL(refusal(bookings_delete(b.id, owner)), error_code::not_found);
  // The seat is free again, and the owner may book again.
  CAF_CHECK_EQUAL(booking_of(bookings_create(id, owner)).user_id, owner);
  CAF_CHECK_EQUAL(booked(id), 1);
}

CAF_TEST(my bookings come with their classes in class order and page without
             repeats or
         gaps) {
  const auto me = make_user();
  const auto someone = make_user();
  const auto provider = make_user();
  // 24 classes over 6 start times (ties broken by booking id), booked in
  // an order unrelated to either.
  std::vector<std::pair<unix_seconds, int64_t>> expected_keys;
  std::vector<int64_t> classes;
  for (int k = 0; k < 24; ++k)
    classes.push_back(make_class(provider, future(((k * 5) % 6) * hour), 5));
  for (int k = 23; k >= 0; --k) {
    const auto id = classes[static_cast<size_t>((k * 7) % 24)];
    const auto b = booking_of(bookings_create(id, me));
    expected_keys.emplace_back(
        decode_classes(must(classes_get(id))).at(0).starts_at, b.id);
    must(bookings_create(id, someone)); // not mine: never listed
  }
  std::sort(expected_keys.begin(), expected_keys.end());
  std::vector<int64_t> want;
  for (const auto& k : expected_keys)
    want.push_back(k.second);
  for (int limit : {1, 5, 10, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    auto items = all_pages<booking_row>(
        [&](const std::optional<page_key>& after) {
          return decode_booking_page(must(bookings_mine(me, after, limit)),
                                     limit);
        },
        limit, well_formed);
    CAF_CHECK(well_formed);
    std::vector<int64_t> got;
    for (const auto& b : items) {
      got.push_back(b.id);
      // Each booking carries its whole class.
      CAF_CHECK_EQUAL(b.user_id, me);
      CAF_CHECK_EQUAL(b.cls.id, b.class_id);
      CAF_CHECK_EQUAL(b.cls.provider_id, provider);
      CAF_CHECK_EQUAL(b.cls.booked, 2);
      CAF_CHECK_EQUAL(b.cls.capacity, 5);
      CAF_CHECK_EQUAL(b.cls.title,
                      "Class at " + std::to_string(b.cls.starts_at));
    }
    CAF_CHECK_EQUAL(got, want);
  }
}

CAF_TEST(my bookings follow a class that moves) {
  const auto me = make_user();
  const auto provider = make_user();
  const auto early = make_class(provider, future(1 * hour), 5);
  const auto late = make_class(provider, future(2 * hour), 5);
  must(bookings_create(early, me));
  must(bookings_create(late, me));
  class_changes move;
  move.starts_at = future(3 * hour);
  must(classes_patch(early, provider, move));
  auto p = decode_booking_page(must(bookings_mine(me, std::nullopt, 10)), 10);
  if (p.items.size() != 2) {
    CAF_ERROR("expected two bookings, got " << p.items.size());
    return;
  }
  CAF_CHECK_EQUAL(p.items[0].class_id, late);
  CAF_CHECK_EQUAL(p.items[1].class_id, early);
  CAF_CHECK_EQUAL(p.items[1].cls.starts_at, future(3 * hour));
  CAF_CHECK(!p.next);
}

CAF_TEST(my bookings refuse a limit outside 1 to 100) {
  CAF_CHECK_EQUAL(refusal(bookings_mine(make_user(), std::nullopt, 0)),
                  error_code::validation_failed);
}

CAF_TEST(fifty concurrent bookers of five seats leave exactly five bookings) {
  constexpr int bookers = 50;
  constexpr int seats = 5;
  const auto id = make_class(make_user(), future(hour), seats);
  const auto users = bulk_users(bookers);
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<error_code>> results;
  for (int i = 0; i < bookers; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      // An executor is one connection: each booker has its own.
      auto exec = new_executor();
      opened.wait();
      auto r = exec->run(bookings_create(id, users[static_cast<size_t>(i)]));
      return r ? error_code::none : r.error().code;
    }));
  gate.set_value();
  int booked_ok = 0;
  int full = 0;
  for (auto& r : results) {
    const auto code = r.get();
    booked_ok += code == error_code::none;
    full += code == error_code::class_full;
  }
  CAF_CHECK_EQUAL(booked_ok, seats);
  CAF_CHECK_EQUAL(full, bookers - seats);
  CAF_CHECK_EQUAL(booked(id), seats);
  CAF_CHECK_EQUAL(bookings_of(id), std::to_string(seats));
}

CAF_TEST(two concurrent cancellations of one booking free one seat) {
  const auto owner = make_user();
  const auto id = make_class(make_user(), future(hour), 3);
  const auto b = booking_of(bookings_create(id, owner));
  must(bookings_create(id, make_user()));
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<error_code>> results;
  for (int i = 0; i < 2; ++i)
    results.push_back(std::async(std::launch::async, [&] {
      auto exec = new_executor();
      opened.wait();
      auto r = exec->run(bookings_delete(b.id, owner));
      return r ? error_code::none : r.error().code;
    }));
  gate.set_value();
  std::vector<error_code> codes{results[0].get(), results[1].get()};
  std::sort(codes.begin(), codes.end());
  CAF_CHECK_EQUAL(codes[0], error_code::none);
  CAF_CHECK_EQUAL(codes[1], error_code::not_found);
  CAF_CHECK_EQUAL(booked(id), 1);
  CAF_CHECK_EQUAL(bookings_of(id), "1");
}

CAF_TEST_FIXTURE_SCOPE_END()
