// Bookings of the real binary (api.md section 3, Bookings, and section 5):
// book, the conflicts, cancel, rebook, the own list, and fifty members
// racing for five seats. The tests share the suite's numina; each
// registers its own provider and members.
#define CAF_SUITE e2e_bookings
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_support.hpp"

using namespace numina::e2e;

namespace {

const std::string my_bookings_path = "/api/v1/users/me/bookings";
constexpr int64_t unknown_id = 9223372036854775807;

struct fixture : api_fixture {
  account provider = api.register_user("Provider");
  account member = api.register_user("Member");

  int64_t new_class(int64_t capacity = 10) {
    return api.create_class(provider, class_body(capacity));
  }

  std::optional<http_response> book_as(const account& who, int64_t class_id) {
    return api.post(bookings_path(class_id), who.token, {});
  }

  json_value class_of(int64_t id) {
    return api.get_json(class_path(id), provider.token);
  }
};

// Runs `n` tasks at once, each on a thread and a connection of its own,
// released together once every connection is open; their results in order.
template <class Result, class Task>
std::vector<Result> all_at_once(uint16_t port, size_t n, Task task) {
  std::promise<void> start;
  std::shared_future<void> go = start.get_future().share();
  std::vector<std::promise<void>> ready(n);
  std::vector<Result> results(n);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      api_client own{port};
      own.connect();
      ready[i].set_value();
      go.wait();
      results[i] = task(own, i);
    });
  }
  for (auto& r : ready)
    r.get_future().wait();
  start.set_value();
  for (auto& t : threads)
    t.join();
  return results;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_bookings_tests, fixture)

// -- book ---------------------------------------------------------------------

CAF_TEST(booking answers 201 with the booking) {
  const auto class_id = new_class();
  auto res = book_as(member, class_id);
  CAF_REQUIRE_EQUAL(status_of(res), 201);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "class_id,created_at,id,user_id");
  CAF_CHECK(doc["id"].is_integer());
  CAF_CHECK_GREATER(doc["id"].integer(), 0);
  CAF_CHECK_EQUAL(doc["class_id"].dump(), std::to_string(class_id));
  CAF_CHECK_EQUAL(doc["user_id"].dump(), std::to_string(member.id));
  CAF_CHECK(is_utc_timestamp(doc["created_at"].text()));
}

CAF_TEST(a booking shows in the class at once) {
  const auto class_id = new_class(4);
  // Read first, so that a cache holds the class before the booking.
  CAF_REQUIRE_EQUAL(class_of(class_id)["booked"].dump(), "0");
  CAF_REQUIRE_EQUAL(status_of(book_as(member, class_id)), 201);
  auto doc = class_of(class_id);
  CAF_CHECK_EQUAL(doc["booked"].dump(), "1");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "3");
}

CAF_TEST(booking the same class twice answers 409 already_booked) {
  const auto class_id = new_class();
  CAF_REQUIRE_EQUAL(status_of(book_as(member, class_id)), 201);
  CAF_CHECK_EQUAL(
      error_mismatch(book_as(member, class_id), 409, "already_booked"), "");
  CAF_CHECK_EQUAL(class_of(class_id)["booked"].dump(), "1");
}

CAF_TEST(booking a full class answers 409 class_full) {
  const auto class_id = new_class(1);
  CAF_REQUIRE_EQUAL(status_of(book_as(member, class_id)), 201);
  auto late = api.register_user("Late");
  CAF_CHECK_EQUAL(error_mismatch(book_as(late, class_id), 409, "class_full"),
                  "");
  auto doc = class_of(class_id);
  CAF_CHECK_EQUAL(doc["booked"].dump(), "1");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "0");
}

CAF_TEST(a provider may book their own class) {
  const auto class_id = new_class();
  CAF_CHECK_EQUAL(status_of(book_as(provider, class_id)), 201);
}

CAF_TEST(booking an unknown class answers 404 not_found) {
  CAF_CHECK_EQUAL(error_mismatch(book_as(member, unknown_id), 404, "not_found"),
                  "");
}

CAF_TEST(booking a malformed class id answers 400 naming id) {
  auto res = api.post("/api/v1/classes/abc/bookings", member.token, {});
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
}

// -- cancel -------------------------------------------------------------------

CAF_TEST(cancelling an own booking answers 204 and frees the seat at once) {
  const auto class_id = new_class(2);
  const auto booking = api.book(member, class_id);
  CAF_REQUIRE_EQUAL(class_of(class_id)["booked"].dump(), "1");
  auto res = api.del(booking_path(booking), member.token);
  CAF_CHECK_EQUAL(status_of(res), 204);
  CAF_CHECK(res && res->body.empty());
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = class_of(class_id);
  CAF_CHECK_EQUAL(doc["booked"].dump(), "0");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "2");
}

CAF_TEST(cancelling a booking again answers 404 not_found) {
  const auto booking = api.book(member, new_class());
  CAF_REQUIRE_EQUAL(status_of(api.del(booking_path(booking), member.token)),
                    204);
  CAF_CHECK_EQUAL(error_mismatch(api.del(booking_path(booking), member.token),
                                 404, "not_found"),
                  "");
}

CAF_TEST(cancelling the booking of someone else answers 403 and keeps it) {
  const auto class_id = new_class();
  const auto booking = api.book(member, class_id);
  auto other = api.register_user("Other");
  CAF_CHECK_EQUAL(error_mismatch(api.del(booking_path(booking), other.token),
                                 403, "forbidden"),
                  "");
  // Not even the class's provider may cancel it.
  CAF_CHECK_EQUAL(error_mismatch(api.del(booking_path(booking), provider.token),
                                 403, "forbidden"),
                  "");
  CAF_CHECK_EQUAL(class_of(class_id)["booked"].dump(), "1");
  CAF_CHECK_EQUAL(item_ids(api.get_json(my_bookings_path, member.token)),
                  std::vector<int64_t>{booking});
}

CAF_TEST(cancelling an unknown booking answers 404 not_found) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.del(booking_path(unknown_id), member.token), 404,
                     "not_found"),
      "");
}

CAF_TEST(cancelling a malformed booking id answers 400 naming id) {
  auto res = api.del("/api/v1/bookings/0", member.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "validation_failed", "id"), "");
}

CAF_TEST(a member may book again after cancelling) {
  const auto class_id = new_class();
  const auto first = api.book(member, class_id);
  CAF_REQUIRE_EQUAL(status_of(api.del(booking_path(first), member.token)), 204);
  auto res = book_as(member, class_id);
  CAF_CHECK_EQUAL(status_of(res), 201);
  CAF_CHECK_NOT_EQUAL(body_of(res)["id"].integer(), first);
  CAF_CHECK_EQUAL(class_of(class_id)["booked"].dump(), "1");
}

CAF_TEST(a cancelled seat of a full class can be taken by another member) {
  const auto class_id = new_class(1);
  const auto booking = api.book(member, class_id);
  CAF_REQUIRE_EQUAL(status_of(api.del(booking_path(booking), member.token)),
                    204);
  CAF_CHECK_EQUAL(status_of(book_as(api.register_user("Next"), class_id)), 201);
}

// -- my bookings --------------------------------------------------------------

CAF_TEST(my bookings list each booking with its class object) {
  const auto later = api.create_class(
      provider, class_body(5, std::chrono::hours{72}).set("title", "Later"));
  const auto sooner = api.create_class(
      provider, class_body(5, std::chrono::hours{24}).set("title", "Sooner"));
  const auto later_booking = api.book(member, later);
  const auto sooner_booking = api.book(member, sooner);
  auto res = api.get(my_bookings_path, member.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK(doc["next_cursor"].is_null());
  // Ordered by the classes' starts_at.
  CAF_REQUIRE_EQUAL(item_ids(doc),
                    (std::vector<int64_t>{sooner_booking, later_booking}));
  auto& first = doc["items"][0];
  CAF_CHECK_EQUAL(sorted_keys(first), "class,class_id,created_at,id,user_id");
  CAF_CHECK_EQUAL(first["class_id"].dump(), std::to_string(sooner));
  CAF_CHECK_EQUAL(first["user_id"].dump(), std::to_string(member.id));
  CAF_CHECK_EQUAL(first["class"].dump(), class_of(sooner).dump());
  CAF_CHECK_EQUAL(doc["items"][1]["class"].dump(), class_of(later).dump());
}

CAF_TEST(my bookings hold only the bookings of the caller) {
  const auto class_id = new_class();
  api.book(api.register_user("Someone else"), class_id);
  CAF_CHECK_EQUAL(api.get_json(my_bookings_path, member.token).dump(),
                  R"({"items":[],"next_cursor":null})");
}

CAF_TEST(a cancelled booking leaves my bookings) {
  const auto booking = api.book(member, new_class());
  CAF_REQUIRE_EQUAL(item_ids(api.get_json(my_bookings_path, member.token)),
                    std::vector<int64_t>{booking});
  CAF_REQUIRE_EQUAL(status_of(api.del(booking_path(booking), member.token)),
                    204);
  CAF_CHECK_EQUAL(item_ids(api.get_json(my_bookings_path, member.token)),
                  std::vector<int64_t>{});
}

// -- concurrency --------------------------------------------------------------

CAF_TEST(fifty members booking five seats at once get exactly five) {
  constexpr size_t members = 50;
  const auto class_id = new_class(5);
  auto accounts =
      all_at_once<account>(port(), members, [](api_client& own, size_t i) {
        account a;
        a.email = unique_email("racer");
        auto doc = body_of(own.register_as(a.email, test_password,
                                           "Racer " + std::to_string(i)));
        a.id = doc["user"]["id"].integer();
        a.token = doc["token"].text();
        return a;
      });
  size_t registered = 0;
  for (auto& a : accounts)
    registered += a.token.empty() ? 0 : 1;
  CAF_REQUIRE_EQUAL(registered, members);
  auto answers = all_at_once<std::optional<http_response>>(
      port(), members, [&](api_client& own, size_t i) {
        return own.post(bookings_path(class_id), accounts[i].token, {});
      });
  int booked = 0;
  int full = 0;
  for (auto& res : answers) {
    if (status_of(res) == 201)
      ++booked;
    else if (error_mismatch(res, 409, "class_full").empty())
      ++full;
    else
      CAF_MESSAGE(
          "unexpected answer: " << error_mismatch(res, 409, "class_full"));
  }
  CAF_CHECK_EQUAL(booked, 5);
  CAF_CHECK_EQUAL(full, 45);
  auto doc = class_of(class_id);
  CAF_CHECK_EQUAL(doc["booked"].dump(), "5");
  CAF_CHECK_EQUAL(doc["spots_left"].dump(), "0");
}

CAF_TEST_FIXTURE_SCOPE_END()
