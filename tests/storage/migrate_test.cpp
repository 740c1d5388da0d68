// Schema migrations against a real PostgreSQL: each test on its own empty
// database (tests/support/scratch_db.hpp).
#define CAF_SUITE migrate
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <future>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "storage/migrate.hpp"
#include "tests/support/scratch_db.hpp"

using numina::error_code;
using numina::outcome;
using numina::storage::latest_schema_version;
using numina::storage::migrate;
using numina::storage::migrate_report;
using numina::storage::migration;
using numina::storage::shipped_migrations;

namespace {

// Every table of the contract's domain (0001_schema.sql).
const std::vector<std::string> domain_tables{"users",
                                             "sessions",
                                             "classes",
                                             "bookings",
                                             "reviews",
                                             "rating_aggregates",
                                             "follows",
                                             "activities",
                                             "feed_items",
                                             "conversations",
                                             "messages",
                                             "notifications",
                                             "idempotency_keys",
                                             "job_state"};

// Everything a migration could change, as one text: columns, indexes,
// constraints, triggers and the migration records.
constexpr const char* schema_snapshot_sql = R"(
  SELECT string_agg(item, E'\n' ORDER BY item) FROM (
    SELECT format('column %s.%s %s %s %s', table_name, column_name,
                  data_type, is_nullable, column_default) AS item
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT format('constraint %s %s', conrelid::regclass,
                  pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('trigger %s %s', tgrelid::regclass, tgname)
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT format('migration %s %s %s', version, name, applied_at)
      FROM schema_migrations) AS everything)";

struct fixture {
  numina::testing::scratch_db db;
  std::unique_ptr<pqxx::connection> conn_;

  pqxx::connection& conn() {
    if (!conn_)
      conn_ = std::make_unique<pqxx::connection>(db.url());
    return *conn_;
  }

  // The single value `sql` returns, as text; "" for NULL.
  std::string value_of(const std::string& sql) {
    pqxx::work txn{conn()};
    return txn.exec1(sql)[0].as<std::string>("");
  }

  bool table_exists(const std::string& name) {
    pqxx::work txn{conn()};
    return !txn.exec_params1("SELECT to_regclass($1)", "public." + name)[0]
                .is_null();
  }

  // The SQLSTATE with which PostgreSQL refuses `sql`, or "" when it runs.
  // Its own transaction, never committed: the cases stay independent.
  std::string refusal_of(const std::string& sql) {
    pqxx::work txn{conn()};
    try {
      txn.exec(sql);
      return "";
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
  }

  migrate_report migrated(const std::vector<migration>& list) {
    // Every later step of the test depends on it: stop at once.
    auto report = migrate(db.url(), list);
    if (!report)
      CAF_FAIL("migrate failed: " << report.error().message);
    return report.value();
  }

  migrate_report migrated() { return migrated(shipped_migrations()); }
};

// CAF 0.17's CAF_REQUIRE aborts the whole binary: these fail the test and
// let it return, so that the other tests still run and report.
bool check_ok(const outcome<migrate_report>& result) {
  if (!result)
    CAF_ERROR("migrate failed: " << result.error().message);
  return result.ok();
}

bool check_failed(const outcome<migrate_report>& result) {
  if (result)
    CAF_ERROR("migrate succeeded, but it should have failed");
  return !result.ok();
}

migration sql_migration(int version, std::string name, std::string sql) {
  return migration{version, std::move(name), std::move(sql)};
}

} // namespace

CAF_TEST(an unreachable server fails as unavailable) {
  // Port 1 is privileged: nothing of ours listens there.
  auto result = migrate("host=127.0.0.1 port=1 user=postgres dbname=postgres "
                        "connect_timeout=2");
  if (!check_failed(result))
    return;
  CAF_CHECK_EQUAL(result.error().code, error_code::unavailable);
}

CAF_TEST_FIXTURE_SCOPE(migrate_tests, fixture)

CAF_TEST(migrating an empty database reaches the latest version and creates
             every table) {
  CAF_CHECK_GREATER_OR_EQUAL(latest_schema_version(), 1);
  const auto report = migrated();
  CAF_CHECK_EQUAL(report.version_before, 0);
  CAF_CHECK_EQUAL(report.version_after, latest_schema_version());
  CAF_CHECK_EQUAL(report.applied,
                  static_cast<int>(shipped_migrations().size()));
  CAF_CHECK_EQUAL(value_of("SELECT max(version) FROM schema_migrations"),
                  std::to_string(latest_schema_version()));
  CAF_CHECK_EQUAL(value_of("SELECT count(*) FROM schema_migrations"),
                  std::to_string(shipped_migrations().size()));
  for (const auto& table : domain_tables) {
    CAF_MESSAGE("table " << table);
    CAF_CHECK(table_exists(table));
  }
}

CAF_TEST(running the migrations again applies nothing and changes nothing) {
  migrated();
  const auto before = value_of(schema_snapshot_sql);
  const auto again = migrated();
  CAF_CHECK_EQUAL(again.applied, 0);
  CAF_CHECK_EQUAL(again.version_before, latest_schema_version());
  CAF_CHECK_EQUAL(again.version_after, latest_schema_version());
  CAF_CHECK_EQUAL(value_of(schema_snapshot_sql), before);
}

CAF_TEST(a broken second migration rolls back the first one too) {
  auto result =
      migrate(db.url(),
              {sql_migration(1, "0001_first", "CREATE TABLE first_t (id int)"),
               sql_migration(2, "0002_broken", "CREATE TABLE broken_t (")});
  if (!check_failed(result))
    return;
  CAF_CHECK_EQUAL(result.error().code, error_code::internal);
  const auto& message = result.error().message;
  CAF_MESSAGE("failure: " << message);
  CAF_CHECK_NOT_EQUAL(message.find("migration 2 (0002_broken)"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(message.find("syntax error"), std::string::npos);
  CAF_CHECK(!table_exists("first_t"));
  CAF_CHECK(!table_exists("schema_migrations"));
}

CAF_TEST(a failing migration leaves schema_migrations as it was) {
  const auto first =
      sql_migration(1, "0001_first", "CREATE TABLE first_t (id int)");
  migrated({first});
  const auto before = value_of(schema_snapshot_sql);
  auto result = migrate(
      db.url(),
      {first, sql_migration(2, "0002_second", "CREATE TABLE second_t (id int)"),
       sql_migration(3, "0003_fails",
                     "INSERT INTO first_t VALUES ('not a number')")});
  if (!check_failed(result))
    return;
  CAF_CHECK_EQUAL(result.error().code, error_code::internal);
  CAF_CHECK_NOT_EQUAL(result.error().message.find("migration 3"),
                      std::string::npos);
  CAF_CHECK(!table_exists("second_t"));
  CAF_CHECK_EQUAL(value_of(schema_snapshot_sql), before);
}

CAF_TEST(a missing version below the applied maximum is applied too) {
  const auto one = sql_migration(1, "0001_one", "CREATE TABLE one_t (id int)");
  const auto two = sql_migration(2, "0002_two", "CREATE TABLE two_t (id int)");
  const auto three =
      sql_migration(3, "0003_three", "CREATE TABLE three_t (id int)");
  migrated({one, three});
  CAF_CHECK(!table_exists("two_t"));
  const auto report = migrated({one, two, three});
  CAF_CHECK_EQUAL(report.applied, 1);
  CAF_CHECK_EQUAL(report.version_before, 3);
  CAF_CHECK_EQUAL(report.version_after, 3);
  CAF_CHECK(table_exists("two_t"));
  CAF_CHECK_EQUAL(
      value_of("SELECT string_agg(version::text, ',' ORDER BY version)"
               " FROM schema_migrations"),
      "1,2,3");
}

CAF_TEST(
    a list with two migrations of one version is refused before anything runs) {
  auto result = migrate(
      db.url(), {sql_migration(1, "0001_a", "CREATE TABLE a_t (id int)"),
                 sql_migration(1, "0001_b", "CREATE TABLE b_t (id int)")});
  if (!check_failed(result))
    return;
  CAF_CHECK_EQUAL(result.error().code, error_code::internal);
  CAF_CHECK(!table_exists("a_t"));
  CAF_CHECK(!table_exists("schema_migrations"));
}

CAF_TEST(the schema refuses rows that the contract forbids) {
  migrated();
  {
    pqxx::work txn{conn()};
    txn.exec0("INSERT INTO users (email, name, password_hash) VALUES"
              " ('alice@example.com', 'Alice', 'h'),"
              " ('bob@example.com', 'Bob', 'h')");
    txn.exec0("INSERT INTO classes (provider_id, title, starts_at,"
              " duration_min, capacity)"
              " SELECT id, 'Yoga', now() + interval '1 day', 60, 2"
              " FROM users WHERE email = 'alice@example.com'");
    txn.commit();
  }
  struct sample {
    const char* what;
    const char* sql;
    const char* sqlstate; // "" when the row is valid
  };
  const char* check = "23514";
  const char* unique = "23505";
  const std::vector<sample> samples{
      {"capacity 0", "UPDATE classes SET capacity = 0", check},
      {"capacity 10001", "UPDATE classes SET capacity = 10001", check},
      {"capacity 10000", "UPDATE classes SET capacity = 10000", ""},
      {"booked above capacity", "UPDATE classes SET booked = capacity + 1",
       check},
      {"booked at capacity", "UPDATE classes SET booked = capacity", ""},
      {"negative booked", "UPDATE classes SET booked = -1", check},
      {"duration 0", "UPDATE classes SET duration_min = 0", check},
      {"duration 1441", "UPDATE classes SET duration_min = 1441", check},
      {"empty title", "UPDATE classes SET title = ''", check},
      // Code points, not bytes: 200 two-byte characters are a valid title.
      {"title of 200 code points",
       "UPDATE classes SET title = repeat('é', 200)", ""},
      {"title of 201 code points",
       "UPDATE classes SET title = repeat('é', 201)", check},
      {"location of 201 code points",
       "UPDATE classes SET location = repeat('x', 201)", check},
      {"bio of 1001 code points", "UPDATE users SET bio = repeat('x', 1001)",
       check},
      {"empty name", "UPDATE users SET name = ''", check},
      {"rating 6",
       "INSERT INTO reviews (class_id, user_id, rating)"
       " SELECT c.id, u.id, 6 FROM classes c, users u"
       " WHERE u.email = 'bob@example.com'",
       check},
      {"rating 0",
       "INSERT INTO reviews (class_id, user_id, rating)"
       " SELECT c.id, u.id, 0 FROM classes c, users u"
       " WHERE u.email = 'bob@example.com'",
       check},
      {"rating 5",
       "INSERT INTO reviews (class_id, user_id, rating)"
       " SELECT c.id, u.id, 5 FROM classes c, users u"
       " WHERE u.email = 'bob@example.com'",
       ""},
      {"a second review by one user",
       "INSERT INTO reviews (class_id, user_id, rating)"
       " SELECT c.id, u.id, r FROM classes c, users u, (VALUES (4), (5)) v(r)"
       " WHERE u.email = 'bob@example.com'",
       unique},
      {"a second booking by one user",
       "INSERT INTO bookings (class_id, user_id, class_starts_at)"
       " SELECT c.id, u.id, c.starts_at FROM classes c, users u,"
       " generate_series(1, 2) WHERE u.email = 'bob@example.com'",
       unique},
      {"self-follow",
       "INSERT INTO follows (follower_id, following_id)"
       " SELECT id, id FROM users WHERE email = 'alice@example.com'",
       check},
      {"a follow of someone else",
       "INSERT INTO follows (follower_id, following_id)"
       " SELECT a.id, b.id FROM users a, users b"
       " WHERE a.email = 'alice@example.com' AND b.email = 'bob@example.com'",
       ""},
      {"an email differing only in case",
       "INSERT INTO users (email, name, password_hash)"
       " VALUES ('ALICE@Example.com', 'Alice 2', 'h')",
       unique},
      {"another email",
       "INSERT INTO users (email, name, password_hash)"
       " VALUES ('alice2@example.com', 'Alice 2', 'h')",
       ""},
      {"a conversation with its pair reversed",
       "INSERT INTO conversations (user_a, user_b)"
       " SELECT max(id), min(id) FROM users",
       check},
      {"an activity of an unknown kind",
       "INSERT INTO activities (user_id, kind, text)"
       " SELECT id, 'nap', 'zzz' FROM users",
       check},
      {"an empty activity",
       "INSERT INTO activities (user_id, kind, text)"
       " SELECT id, 'post', '' FROM users",
       check},
      {"a notification of an unknown kind",
       "INSERT INTO notifications (user_id, kind, dedup_key)"
       " SELECT id, 'spam', 'x' FROM users",
       check},
      {"a notification created twice",
       "INSERT INTO notifications (user_id, kind, dedup_key)"
       " SELECT id, 'new_follower', 'follower:1' FROM users,"
       " generate_series(1, 2)",
       unique},
      {"a conversation with its pair in order",
       "INSERT INTO conversations (user_a, user_b)"
       " SELECT min(id), max(id) FROM users",
       ""},
      {"a session with a hex BLAKE2b-256 token hash",
       "INSERT INTO sessions (token_hash, user_id)"
       " SELECT repeat('0f', 32), min(id) FROM users",
       ""},
      {"a finished idempotency record without a status",
       "INSERT INTO idempotency_keys (scope, key, request_hash, state)"
       " VALUES ('user:1 POST /api/v1/classes', 'k1', 'h', 'done')",
       check},
      {"a rating aggregate whose histogram does not add up",
       "INSERT INTO rating_aggregates (class_id, average, count, h5)"
       " SELECT id, 5, 2, 1 FROM classes",
       check},
      {"a rating aggregate that adds up",
       "INSERT INTO rating_aggregates (class_id, average, count, h4, h5)"
       " SELECT id, 4.5, 2, 1, 1 FROM classes",
       ""},
      {"a session whose token hash is not hex BLAKE2b-256",
       "INSERT INTO sessions (token_hash, user_id)"
       " SELECT 'raw-token', id FROM users",
       check},
  };
  for (const auto& s : samples) {
    CAF_MESSAGE(s.what);
    CAF_CHECK_EQUAL(refusal_of(s.sql), s.sqlstate);
  }
}

CAF_TEST(a booking follows its class when the class moves) {
  migrated();
  pqxx::work txn{conn()};
  txn.exec0("INSERT INTO users (email, name, password_hash)"
            " VALUES ('alice@example.com', 'Alice', 'h')");
  txn.exec0("INSERT INTO classes (provider_id, title, starts_at,"
            " duration_min, capacity)"
            " SELECT id, 'Spin', '2030-01-01T07:00:00Z', 45, 10 FROM users");
  // Whatever the writer puts in class_starts_at, the class's time is kept.
  txn.exec0("INSERT INTO bookings (class_id, user_id, class_starts_at)"
            " SELECT c.id, u.id, 'epoch' FROM classes c, users u");
  const char* starts_at_sql =
      "SELECT to_char(class_starts_at AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM bookings";
  CAF_CHECK_EQUAL(txn.exec1(starts_at_sql)[0].as<std::string>(),
                  "2030-01-01T07:00:00Z");
  txn.exec0("UPDATE classes SET starts_at = '2030-02-01T08:30:00Z'");
  CAF_CHECK_EQUAL(txn.exec1(starts_at_sql)[0].as<std::string>(),
                  "2030-02-01T08:30:00Z");
}

CAF_TEST(a booking of a missing class is refused by its foreign key) {
  migrated();
  CAF_CHECK_EQUAL(refusal_of("INSERT INTO users (email, name, password_hash)"
                             " VALUES ('a@example.com', 'A', 'h');"
                             " INSERT INTO bookings (class_id, user_id,"
                             " class_starts_at)"
                             " SELECT 424242, id, now() FROM users"),
                  "23503");
}

CAF_TEST(two migrators starting together both succeed and apply once) {
  // Each thread connects on its own; the gate lets them start together.
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  auto run = [&] {
    opened.wait();
    return migrate(db.url());
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  gate.set_value();
  auto a = first.get();
  auto b = second.get();
  const bool a_ok = check_ok(a);
  const bool b_ok = check_ok(b);
  if (!a_ok || !b_ok)
    return;
  CAF_CHECK_EQUAL(a->applied + b->applied,
                  static_cast<int>(shipped_migrations().size()));
  CAF_CHECK_EQUAL(a->version_after, latest_schema_version());
  CAF_CHECK_EQUAL(b->version_after, latest_schema_version());
  CAF_CHECK_EQUAL(value_of("SELECT count(*) FROM schema_migrations"),
                  std::to_string(shipped_migrations().size()));
}

CAF_TEST(
    a migrator that finds another one running waits and then applies nothing) {
  // The sleep keeps the first migrator inside its transaction long enough
  // for the second to arrive while it runs.
  const std::vector<migration> slow{sql_migration(
      1, "0001_slow", "SELECT pg_sleep(0.5); CREATE TABLE slow_t (id int)")};
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  auto run = [&] {
    opened.wait();
    return migrate(db.url(), slow);
  };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  gate.set_value();
  auto a = first.get();
  auto b = second.get();
  const bool a_ok = check_ok(a);
  const bool b_ok = check_ok(b);
  if (!a_ok || !b_ok)
    return;
  // One applied the migration; the other waited for it and found it done.
  const auto& waited = a->applied == 0 ? a.value() : b.value();
  CAF_CHECK_EQUAL(a->applied + b->applied, 1);
  CAF_CHECK_EQUAL(waited.version_before, 1);
  CAF_CHECK(table_exists("slow_t"));
}

CAF_TEST_FIXTURE_SCOPE_END()
