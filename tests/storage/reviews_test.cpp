// reviews.*, ratings.get and the rating aggregation job (jobs.ratings)
// through the real executor, each test on a fresh database
// (storage_fixture.hpp): one review per user and class (also when the same
// user posts at once from many connections), the newest-first list and its
// paging, the rating before and after aggregation, the job's incremental
// chunks, its exactness, and the plans of the statements.
#define CAF_SUITE storage_reviews
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "storage/classes.hpp"
#include "storage/jobs.hpp"
#include "storage/review_statements.hpp"
#include "storage/reviews.hpp"
#include "tests/storage/job_test_support.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::error_code;
using numina::unix_seconds;
using numina::testing::all_pages;
using numina::testing::future;
using numina::testing::logged_plan;
using numina::testing::reads_index;
using numina::testing::run_to_end;
using numina::testing::storage_fixture;
using numina::testing::touched;

namespace {

constexpr int64_t hour = 3600;

// 2029-01-01T00:00:00Z: review times the tests set themselves.
constexpr unix_seconds base_time = 1861920000;

// What a class's aggregate must be: computed here from the ratings given.
struct expected_rating {
  std::vector<int64_t> ratings;

  double average() const {
    int64_t sum = 0;
    for (auto r : ratings)
      sum += r;
    return static_cast<double>(sum) / static_cast<double>(ratings.size());
  }

  std::array<int64_t, 5> histogram() const {
    std::array<int64_t, 5> h{};
    for (auto r : ratings)
      ++h[static_cast<size_t>(r - 1)];
    return h;
  }
};

struct fixture : storage_fixture {
  review_row review_of(const db_call& call) {
    return only_row(call, decode_reviews);
  }

  // A review by a new user; the user's id.
  int64_t reviewed(int64_t class_id, int64_t rating) {
    const auto user = make_user();
    must(reviews_create(class_id, user, rating, ""));
    return user;
  }

  rating_row rating_of(int64_t class_id) {
    auto r = decode_rating(must(ratings_get(class_id)));
    if (!r) {
      CAF_ERROR("no rating for class " << class_id);
      return {};
    }
    return *r;
  }

  job_chunk chunk(int64_t batch = 1000) {
    return decode_job_chunk(must(jobs_ratings(batch)));
  }

  // Runs the job until it says there is no more; every chunk.
  std::vector<job_chunk> run_job(int64_t batch = 1000) {
    return run_to_end([&] { return chunk(batch); });
  }

  // Checks the aggregate of `class_id` against the ratings given, in the
  // rating and in the class's `rating` field.
  void check_rating(int64_t class_id, const expected_rating& want) {
    const auto r = rating_of(class_id);
    CAF_CHECK_EQUAL(r.class_id, class_id);
    CAF_CHECK_EQUAL(r.count, static_cast<int64_t>(want.ratings.size()));
    CAF_CHECK(r.average.has_value());
    if (r.average)
      CAF_CHECK_EQUAL(*r.average, want.average());
    CAF_CHECK(r.histogram == want.histogram());
    CAF_CHECK(r.computed_at.has_value());
    const auto c = decode_classes(must(classes_get(class_id))).at(0);
    CAF_CHECK(c.rating_average == r.average);
    CAF_CHECK_EQUAL(c.rating_count, r.count);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_reviews_tests, fixture)

// -- reviews.create
// -------------------------------------------------------------

CAF_TEST(a review is stored with its rating and text in whole seconds) {
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour));
  const auto v = review_of(reviews_create(id, member, 4, "Great class"));
  CAF_CHECK_GREATER(v.id, 0);
  CAF_CHECK_EQUAL(v.class_id, id);
  CAF_CHECK_EQUAL(v.user_id, member);
  CAF_CHECK_EQUAL(v.rating, 4);
  CAF_CHECK_EQUAL(v.text, "Great class");
  CAF_CHECK_LESS(std::abs(v.created_at - numina::now_seconds()), 60);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM reviews WHERE"
                            " created_at = date_trunc('second', created_at)"),
                  "1");
}

CAF_TEST(a review text of 2000 code points in multibyte characters fits) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "\xc3\xa9"; // é: two bytes, one code point
  const auto id = make_class(make_user(), future(hour));
  CAF_CHECK_EQUAL(review_of(reviews_create(id, make_user(), 5, text)).text,
                  text);
}

CAF_TEST(reviewing a class twice is already reviewed and keeps the first) {
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour));
  must(reviews_create(id, member, 2, "first"));
  CAF_CHECK_EQUAL(refusal(reviews_create(id, member, 5, "second")),
                  error_code::already_reviewed);
  CAF_CHECK_EQUAL(sql_value("SELECT rating || text FROM reviews"), "2first");
  // Another class is a review of its own.
  const auto other = make_class(make_user(), future(hour));
  CAF_CHECK_EQUAL(review_of(reviews_create(other, member, 5, "")).rating, 5);
}

CAF_TEST(reviewing a missing class is not found) {
  const auto id = make_class(make_user(), future(hour));
  CAF_CHECK_EQUAL(refusal(reviews_create(id + 1, make_user(), 3, "")),
                  error_code::not_found);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM reviews"), "0");
}

CAF_TEST(a rating outside 1 to 5 is refused by the database) {
  const auto id = make_class(make_user(), future(hour));
  CAF_CHECK_EQUAL(refusal(reviews_create(id, make_user(), 6, "")),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(reviews_create(id, make_user(), 0, "")),
                  error_code::validation_failed);
}

CAF_TEST(twenty concurrent reviews by one user leave exactly one) {
  constexpr int attempts = 20;
  const auto member = make_user();
  const auto id = make_class(make_user(), future(hour));
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<error_code>> results;
  for (int i = 0; i < attempts; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      // An executor is one connection: each attempt has its own.
      auto exec = new_executor();
      opened.wait();
      auto r = exec->run(reviews_create(id, member, 1 + i % 5, "race"));
      return r ? error_code::none : r.error().code;
    }));
  gate.set_value();
  int created = 0;
  int refused = 0;
  for (auto& r : results) {
    const auto code = r.get();
    created += code == error_code::none;
    refused += code == error_code::already_reviewed;
  }
  CAF_CHECK_EQUAL(created, 1);
  CAF_CHECK_EQUAL(refused, attempts - 1);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM reviews"), "1");
}

// -- reviews.list
// -----------------------------------------------------------------

CAF_TEST(reviews come newest first and page without repeats or gaps) {
  const auto id = make_class(make_user(), future(hour));
  const auto other = make_class(make_user(), future(hour));
  // 23 reviews over 5 distinct seconds, set against the order of their ids
  // so that both parts of the key matter; reviews of another class are
  // never listed.
  std::vector<std::pair<unix_seconds, int64_t>> keys;
  for (int k = 0; k < 23; ++k) {
    const auto v = review_of(reviews_create(id, make_user(), 1 + k % 5, ""));
    const unix_seconds at = base_time + (k * 3) % 5;
    sql("UPDATE reviews SET created_at = to_timestamp(" + std::to_string(at) +
        ") WHERE id = " + std::to_string(v.id));
    keys.emplace_back(at, v.id);
    must(reviews_create(other, make_user(), 3, ""));
  }
  std::sort(keys.rbegin(), keys.rend());
  std::vector<int64_t> want;
  for (const auto& k : keys)
    want.push_back(k.second);
  for (int limit : {1, 4, 10, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    auto items = all_pages<review_row>(
        [&](const std::optional<page_key>& after) {
          auto p =
              decode_review_page(must(reviews_list(id, after, limit)), limit);
          if (!p) {
            CAF_ERROR("the class vanished");
            return page<review_row>{};
          }
          return *p;
        },
        limit, well_formed);
    CAF_CHECK(well_formed);
    std::vector<int64_t> got;
    for (const auto& v : items) {
      got.push_back(v.id);
      CAF_CHECK_EQUAL(v.class_id, id);
    }
    CAF_CHECK_EQUAL(got, want);
  }
}

CAF_TEST(a class without reviews lists none and a missing class is no page) {
  const auto id = make_class(make_user(), future(hour));
  auto empty = decode_review_page(must(reviews_list(id, std::nullopt, 10)), 10);
  CAF_REQUIRE(empty.has_value());
  CAF_CHECK(empty->items.empty());
  CAF_CHECK(!empty->next);
  CAF_CHECK(
      !decode_review_page(must(reviews_list(id + 1, std::nullopt, 10)), 10)
           .has_value());
}

CAF_TEST(the review list refuses a limit outside 1 to 100) {
  const auto id = make_class(make_user(), future(hour));
  CAF_CHECK_EQUAL(refusal(reviews_list(id, std::nullopt, 0)),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(reviews_list(id, std::nullopt, 101)),
                  error_code::validation_failed);
}

// -- ratings.get and jobs.ratings
// ---------------------------------------------------

CAF_TEST(before the first aggregation a rating is null with zeros) {
  const auto id = make_class(make_user(), future(hour));
  reviewed(id, 5); // reviewed, but not yet aggregated
  const auto r = rating_of(id);
  CAF_CHECK_EQUAL(r.class_id, id);
  CAF_CHECK(!r.average);
  CAF_CHECK_EQUAL(r.count, 0);
  CAF_CHECK(r.histogram == (std::array<int64_t, 5>{}));
  CAF_CHECK(!r.computed_at);
  CAF_CHECK(!decode_rating(must(ratings_get(id + 1))).has_value());
}

CAF_TEST(the job aggregates average count and histogram exactly) {
  const auto a = make_class(make_user(), future(hour));
  const auto b = make_class(make_user(), future(hour));
  const auto quiet = make_class(make_user(), future(hour));
  expected_rating want_a{{5, 4, 4, 1, 3, 5, 5}};
  expected_rating want_b{{2, 3}};
  for (auto r : want_a.ratings)
    reviewed(a, r);
  for (auto r : want_b.ratings)
    reviewed(b, r);
  const auto chunks = run_job();
  CAF_REQUIRE_EQUAL(chunks.size(), 1u);
  CAF_CHECK_EQUAL(chunks[0].touched, 2);
  CAF_CHECK(!chunks[0].more);
  const std::vector<std::string> stale{
      "rating:" + std::to_string(a) + "|", "class:" + std::to_string(a) + "|",
      "rating:" + std::to_string(b) + "|", "class:" + std::to_string(b) + "|",
      "classes:list"};
  CAF_CHECK_EQUAL(chunks[0].stale, stale);
  check_rating(a, want_a);
  check_rating(b, want_b);
  CAF_CHECK_LESS(
      std::abs(rating_of(a).computed_at.value_or(0) - numina::now_seconds()),
      60);
  // A class nobody reviewed keeps no aggregate.
  CAF_CHECK(!rating_of(quiet).average);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM rating_aggregates"), "2");
}

CAF_TEST(a second run without new reviews touches nothing) {
  const auto id = make_class(make_user(), future(hour));
  reviewed(id, 4);
  CAF_CHECK_EQUAL(touched(run_job()), 1);
  const auto computed = sql_value("SELECT computed_at FROM rating_aggregates");
  const auto again = run_job();
  CAF_REQUIRE_EQUAL(again.size(), 1u);
  CAF_CHECK_EQUAL(again[0].touched, 0);
  CAF_CHECK(again[0].stale.empty());
  CAF_CHECK(!again[0].more);
  CAF_CHECK_EQUAL(sql_value("SELECT computed_at FROM rating_aggregates"),
                  computed);
}

CAF_TEST(new reviews after a run re aggregate only their class exactly) {
  const auto a = make_class(make_user(), future(hour));
  const auto b = make_class(make_user(), future(hour));
  expected_rating want_a{{3, 4}};
  expected_rating want_b{{1}};
  for (auto r : want_a.ratings)
    reviewed(a, r);
  reviewed(b, 1);
  CAF_CHECK_EQUAL(touched(run_job()), 2);
  for (auto r : {5, 5, 2}) {
    reviewed(a, r);
    want_a.ratings.push_back(r);
  }
  const auto chunks = run_job();
  CAF_CHECK_EQUAL(touched(chunks), 1);
  CAF_CHECK_EQUAL(chunks.front().stale,
                  (std::vector<std::string>{"rating:" + std::to_string(a) + "|",
                                            "class:" + std::to_string(a) + "|",
                                            "classes:list"}));
  check_rating(a, want_a);
  check_rating(b, want_b);
}

CAF_TEST(the job works in bounded chunks until it says no more) {
  // 12 reviews (one transaction each) over 4 classes; chunks of 5 reviews.
  std::vector<int64_t> classes;
  std::map<int64_t, expected_rating> want;
  for (int k = 0; k < 4; ++k)
    classes.push_back(make_class(make_user(), future(hour)));
  for (int k = 0; k < 12; ++k) {
    const auto id = classes[static_cast<size_t>(k % 4)];
    const int64_t r = 1 + (k * 7) % 5;
    reviewed(id, r);
    want[id].ratings.push_back(r);
  }
  const auto chunks = run_job(5);
  // 5 + 5 + 2 reviews: the third chunk is not full, so it is the last.
  CAF_REQUIRE_EQUAL(chunks.size(), 3u);
  CAF_CHECK(chunks[0].more);
  CAF_CHECK(chunks[1].more);
  CAF_CHECK(!chunks[2].more);
  for (const auto& c : chunks)
    CAF_CHECK_LESS_OR_EQUAL(c.touched, 4);
  for (const auto& [id, expected] : want)
    check_rating(id, expected);
  CAF_CHECK_EQUAL(chunk(5).touched, 0);
}

CAF_TEST(a review that commits after a later one was aggregated still counts) {
  const auto slow_class = make_class(make_user(), future(hour));
  const auto fast_class = make_class(make_user(), future(hour));
  const auto slow_user = make_user();
  // The slow review gets its id first but commits last: a watermark on
  // review ids would pass it by for good.
  pqxx::connection conn{url()};
  pqxx::work slow{conn};
  const auto slow_id =
      slow.exec("INSERT INTO reviews (class_id, user_id, rating) VALUES (" +
                std::to_string(slow_class) + ", " + std::to_string(slow_user) +
                ", 1) RETURNING id")[0][0]
          .as<int64_t>();
  const auto fast_user = reviewed(fast_class, 5);
  CAF_CHECK_GREATER(
      std::stoll(sql_value("SELECT id FROM reviews WHERE user_id = " +
                           std::to_string(fast_user))),
      slow_id);
  // While the slow transaction runs, nothing at or after it is read (the
  // lag the contract allows).
  CAF_CHECK_EQUAL(touched(run_job()), 0);
  slow.commit();
  CAF_CHECK_EQUAL(touched(run_job()), 2);
  check_rating(slow_class, expected_rating{{1}});
  check_rating(fast_class, expected_rating{{5}});
}

CAF_TEST(rerunning from an old watermark recomputes and never counts twice) {
  const auto id = make_class(make_user(), future(hour));
  expected_rating want{{2, 5, 5}};
  for (auto r : want.ratings)
    reviewed(id, r);
  run_job();
  // As if a run had crashed after writing aggregates but before moving
  // the watermark, or the row had been lost.
  sql("DELETE FROM job_state WHERE name = 'ratings'");
  CAF_CHECK_EQUAL(touched(run_job()), 1);
  check_rating(id, want);
}

CAF_TEST(a watermark from another cluster starts the job over) {
  const auto id = make_class(make_user(), future(hour));
  reviewed(id, 3);
  run_job();
  // A logical restore brings transaction ids this cluster never issued.
  sql("UPDATE job_state SET watermark_id = 9000000000000000000"
      " WHERE name = 'ratings'");
  reviewed(id, 5);
  CAF_CHECK_EQUAL(touched(run_job()), 1);
  check_rating(id, expected_rating{{3, 5}});
  CAF_CHECK_LESS(
      std::stoll(sql_value(
          "SELECT watermark_id FROM job_state WHERE name = 'ratings'")),
      9000000000000000000LL);
}

CAF_TEST(concurrent runs of the job take turns and leave exact aggregates) {
  std::vector<int64_t> classes;
  std::map<int64_t, expected_rating> want;
  for (int k = 0; k < 6; ++k)
    classes.push_back(make_class(make_user(), future(hour)));
  for (int k = 0; k < 30; ++k) {
    const auto id = classes[static_cast<size_t>(k % 6)];
    const int64_t r = 1 + (k * 3) % 5;
    reviewed(id, r);
    want[id].ratings.push_back(r);
  }
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<bool>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [&] {
      auto exec = new_executor();
      opened.wait();
      for (int n = 0; n < 100; ++n) {
        auto r = exec->run(jobs_ratings(4));
        if (!r)
          return false;
        if (!decode_job_chunk(r.value()).more)
          return true;
      }
      return false;
    }));
  gate.set_value();
  for (auto& r : runs)
    CAF_CHECK(r.get());
  for (const auto& [id, expected] : want)
    check_rating(id, expected);
  CAF_CHECK_EQUAL(chunk().touched, 0);
}

CAF_TEST(the job refuses a batch size below one) {
  CAF_CHECK_EQUAL(refusal(jobs_ratings(0)), error_code::internal);
}

// -- plans
// ------------------------------------------------------------------------------

CAF_TEST(the review list and the job chunk read their indexes) {
  // 2000 classes, 20000 reviews by 2000 users (class 7 has 400), then
  // ANALYZE: each statement must read the index that holds its order.
  sql("INSERT INTO users (email, name, password_hash)"
      " SELECT 'r' || g || '@example.com', 'R' || g, 'h'"
      " FROM generate_series(1, 2000) g");
  sql("INSERT INTO classes (provider_id, title, starts_at, duration_min,"
      " capacity) SELECT 1 + g % 50, 'Class ' || g,"
      " timestamptz '2030-01-01T00:00:00Z' + g * interval '1 hour', 60, 100"
      " FROM generate_series(1, 2000) g");
  sql("INSERT INTO reviews (class_id, user_id, rating, created_at)"
      " SELECT CASE WHEN u <= 400 AND k = 1 THEN 7"
      "  ELSE 1 + (u * 7 + k * 131) % 2000 END, u, 1 + (u + k) % 5,"
      "  timestamptz '2029-01-01T00:00:00Z' + ((u * k) % 5000) * interval '1 s'"
      " FROM generate_series(1, 2000) u, generate_series(1, 10) k"
      " ON CONFLICT DO NOTHING");
  sql("ANALYZE");
  for (bool generic : {false, true}) {
    // Class 7 has about 400 reviews: the page must come from the index in
    // order, not from sorting them all.
    const auto list =
        logged_plan(*this, reviews_list_page, "7, 'infinity', 0, 10", generic);
    CAF_CHECK(std::regex_search(
        list, std::regex("Index Scan Backward using "
                         "reviews_class_created_at_idx on reviews r")));
    CAF_CHECK(list.find("Seq Scan") == std::string::npos);
    const auto chunk_plan =
        logged_plan(*this, rating_job_chunk, "'0', '999999999', 1000", generic);
    CAF_CHECK(reads_index(chunk_plan, "reviews_xact_idx"));
    CAF_CHECK(chunk_plan.find("Seq Scan") == std::string::npos);
    // A chunk of a few transactions: the touched classes from the xact
    // index, each class's reviews from an index led by class_id.
    const auto aggregate =
        logged_plan(*this, rating_job_aggregate, "'5', '9'", generic);
    CAF_CHECK(reads_index(aggregate, "reviews_xact_idx"));
    CAF_CHECK(reads_index(aggregate, "reviews_class_user_key") ||
              reads_index(aggregate, "reviews_class_created_at_idx"));
    CAF_CHECK(aggregate.find("Seq Scan") == std::string::npos);
  }
  // The whole table is one chunk here (one INSERT): the aggregate reads
  // every review once, which is what a first run must do.
  CAF_CHECK_EQUAL(std::to_string(touched(run_job(100000))),
                  sql_value("SELECT count(DISTINCT class_id) FROM reviews"));
}

CAF_TEST_FIXTURE_SCOPE_END()
