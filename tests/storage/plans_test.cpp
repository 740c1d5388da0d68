// The plans PostgreSQL picks for the list queries, on a few thousand rows
// after ANALYZE: each must read its rows from the index that holds the
// list's order (no Seq Scan, no planner switches). Checked both as a
// custom plan (the first executions of a prepared statement) and as the
// generic plan a prepared statement may switch to later.
#define CAF_SUITE storage_plans
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <regex>
#include <string>
#include <vector>

#include "storage/list_statements.hpp"
#include "tests/storage/storage_fixture.hpp"

using numina::storage::statement;
using numina::testing::storage_fixture;

namespace {

struct fixture : storage_fixture {
  fixture() {
    // 3000 users; 5000 classes of 50 providers, one an hour; a rating for
    // every third class; 5 bookings per user; 10 follows per user, plus a
    // popular user 42 whom everyone follows and who follows 1500 users
    // (the lists where the order and the page limit matter).
    sql("INSERT INTO users (email, name, password_hash)"
        " SELECT 'u' || g || '@example.com', 'User ' || g, 'h'"
        " FROM generate_series(1, 3000) g");
    sql("INSERT INTO classes (provider_id, title, starts_at, duration_min,"
        " capacity)"
        " SELECT 1 + g % 50, 'Class ' || g,"
        " timestamptz '2030-01-01T00:00:00Z' + g * interval '1 hour', 60, 100"
        " FROM generate_series(1, 5000) g");
    sql("INSERT INTO rating_aggregates (class_id, average, count, h4, h5)"
        " SELECT id, 4.5, 2, 1, 1 FROM classes WHERE id % 3 = 0");
    sql("INSERT INTO bookings (class_id, user_id)"
        " SELECT 1 + (u * 13 + k * 701) % 5000, u"
        " FROM generate_series(1, 3000) u, generate_series(1, 5) k"
        " ON CONFLICT DO NOTHING");
    sql("UPDATE classes c SET booked = n FROM (SELECT class_id, count(*) AS n"
        " FROM bookings GROUP BY class_id) b WHERE b.class_id = c.id");
    sql("INSERT INTO follows (follower_id, following_id, created_at)"
        " SELECT f, 1 + (f + k * 37) % 3000,"
        "  now() - ((f * k) % 10000) * interval '1 minute'"
        " FROM generate_series(1, 3000) f, generate_series(1, 10) k"
        " WHERE 1 + (f + k * 37) % 3000 <> f ON CONFLICT DO NOTHING");
    sql("INSERT INTO follows (follower_id, following_id, created_at)"
        " SELECT f, 42, now() - (f % 5000) * interval '1 minute'"
        " FROM generate_series(1, 3000) f WHERE f <> 42"
        " ON CONFLICT DO NOTHING");
    sql("INSERT INTO follows (follower_id, following_id, created_at)"
        " SELECT 42, f, now() - (f % 700) * interval '1 minute'"
        " FROM generate_series(1, 3000, 2) f WHERE f <> 42"
        " ON CONFLICT DO NOTHING");
    sql("ANALYZE");
  }

  // The plan of `s` with `args` (SQL literals), custom or generic.
  std::string plan(const statement& s, const std::string& args, bool generic) {
    sql("DEALLOCATE ALL");
    sql(std::string{"PREPARE q AS "} + s.sql);
    const std::string mode = generic ? "force_generic_plan" : "auto";
    std::string text;
    for (const auto& line : sql_rows("SET LOCAL plan_cache_mode = " + mode +
                                     "; EXPLAIN EXECUTE q(" + args + ")"))
      text += line + "\n";
    return text;
  }

  // Whether `plan` reads `table` through an index matching `index` (a
  // regex) and never scans the table whole.
  static bool uses_index(const std::string& plan, const std::string& table,
                         const std::string& index) {
    const std::regex by_index("(Index Scan|Index Scan Backward|Index Only "
                              "Scan|Index Only Scan Backward) using (" +
                              index + ") on " + table +
                              " |Bitmap Index Scan on (" + index + ") ");
    return std::regex_search(plan, by_index) &&
           plan.find("Seq Scan on " + table + " ") == std::string::npos;
  }

  // Checks the custom and the generic plan of `s` with `args`.
  void check_plans(const statement& s, const std::string& args,
                   const std::string& table, const std::string& index) {
    for (bool generic : {false, true}) {
      const auto text = plan(s, args, generic);
      CAF_MESSAGE(s.name << (generic ? " (generic)" : " (custom)") << " with ("
                         << args << "):\n"
                         << text);
      CAF_CHECK(uses_index(text, table, index));
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_plans_tests, fixture)

CAF_TEST(the class list reads classes_starts_at_idx) {
  using numina::storage::classes_list_all;
  // First page; a page in the middle with an upper bound.
  check_plans(classes_list_all, "'-infinity', 0, 'infinity', 10", "classes",
              "classes_starts_at_idx");
  check_plans(classes_list_all, "'1900000000', 1234, '1910000000', 25",
              "classes", "classes_starts_at_idx");
}

CAF_TEST(the class list of a provider reads classes_provider_starts_at_idx) {
  using numina::storage::classes_list_by_provider;
  check_plans(classes_list_by_provider, "'-infinity', 0, 'infinity', 10, 7",
              "classes", "classes_provider_starts_at_idx");
  check_plans(classes_list_by_provider,
              "'1900000000', 1234, 'infinity', 100, 7", "classes",
              "classes_provider_starts_at_idx");
}

CAF_TEST(my bookings read bookings_user_starts_at_idx) {
  using numina::storage::bookings_mine_list;
  check_plans(bookings_mine_list, "42, '-infinity', 0, 10", "bookings",
              "bookings_user_starts_at_idx");
  check_plans(bookings_mine_list, "42, '1900000000', 77, 100", "bookings",
              "bookings_user_starts_at_idx");
}

CAF_TEST(a long follower list reads follows_following_since_idx) {
  using numina::storage::followers_list;
  check_plans(followers_list, "42, 'infinity', 0, 25", "follows",
              "follows_following_since_idx");
  check_plans(followers_list, "42, '1900000000', 77, 100", "follows",
              "follows_following_since_idx");
}

CAF_TEST(a long following list reads follows_follower_since_idx) {
  using numina::storage::following_list;
  check_plans(following_list, "42, 'infinity', 0, 25", "follows",
              "follows_follower_since_idx");
  check_plans(following_list, "42, '1900000000', 77, 100", "follows",
              "follows_follower_since_idx");
}

// A list shorter than a page is read whole and sorted: the planner may then
// prefer the narrower index of 0001, but never a scan of the table.
CAF_TEST(a short follow list reads a follows index) {
  using numina::storage::followers_list;
  using numina::storage::following_list;
  check_plans(followers_list, "7, 'infinity', 0, 25", "follows",
              "follows_following_since_idx|follows_following_idx");
  check_plans(following_list, "7, 'infinity', 0, 25", "follows",
              "follows_follower_since_idx|follows_pkey");
}

CAF_TEST_FIXTURE_SCOPE_END()
