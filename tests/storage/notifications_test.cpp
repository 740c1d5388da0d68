// notifications.* and the notification job (jobs.notifications) through the
// real executor, each test on a fresh database (storage_fixture.hpp): each
// kind written once with its payload, also when runs are repeated, run from
// scratch or run by several connections at once; reminders only for the
// next hour; incremental chunks; the newest-first list; marking read only
// one's own; and the plans of the statements.
#define CAF_SUITE storage_notifications
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <future>
#include <regex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "storage/classes.hpp"
#include "storage/jobs.hpp"
#include "storage/notification_statements.hpp"
#include "storage/notifications.hpp"
#include "tests/storage/job_test_support.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::error_code;
using numina::unix_seconds;
using numina::testing::all_pages;
using numina::testing::logged_plan;
using numina::testing::reads_index;
using numina::testing::run_to_end;
using numina::testing::storage_fixture;
using numina::testing::touched;

namespace {

constexpr int64_t minute = 60;

// 2029-01-01T00:00:00Z: notification times the tests set themselves.
constexpr unix_seconds base_time = 1861920000;

std::string str(int64_t n) {
  return std::to_string(n);
}

struct fixture : storage_fixture {
  // follower follows followee, behind the operations' backs (the follow
  // endpoint belongs to the social feature).
  void follow(int64_t follower, int64_t followee) {
    sql("INSERT INTO follows (follower_id, following_id) VALUES (" +
        str(follower) + ", " + str(followee) + ")");
  }

  // A message from one user to another, with its conversation; its id.
  int64_t message(int64_t from, int64_t to) {
    const auto a = std::min(from, to);
    const auto b = std::max(from, to);
    return std::stoll(sql_value(
        "WITH c AS (INSERT INTO conversations (user_a, user_b) VALUES (" +
        str(a) + ", " + str(b) +
        ") ON CONFLICT (user_a, user_b) DO UPDATE SET user_a = excluded.user_a"
        " RETURNING id)"
        " INSERT INTO messages (conversation_id, sender_id, recipient_id, text)"
        " SELECT id, " +
        str(from) + ", " + str(to) + ", 'hello' FROM c RETURNING id"));
  }

  // A class starting `from_now` seconds from now, booked by `members`.
  int64_t booked_class(int64_t from_now, const std::vector<int64_t>& members) {
    const auto id = make_class(make_user("Provider"),
                               numina::now_seconds() + from_now, 100);
    for (auto m : members)
      must(bookings_create(id, m));
    return id;
  }

  job_chunk chunk(int64_t batch = 1000) {
    return decode_job_chunk(must(jobs_notifications(batch)));
  }

  // Runs the job until it says there is no more; every chunk.
  std::vector<job_chunk> run_job(int64_t batch = 1000) {
    return run_to_end([&] { return chunk(batch); });
  }

  int64_t run_all(int64_t batch = 1000) { return touched(run_job(batch)); }

  // kind|payload of each of the user's notifications, oldest first.
  std::vector<std::string> notes_of(int64_t user) {
    return sql_rows("SELECT kind, payload::text FROM notifications"
                    " WHERE user_id = " +
                    str(user) + " ORDER BY id");
  }

  int64_t count_notes() {
    return std::stoll(sql_value("SELECT count(*) FROM notifications"));
  }

  page<notification_row> page_of(int64_t user, int limit = 10) {
    return decode_notification_page(
        must(notifications_list(user, std::nullopt, limit)), limit);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_notifications_tests, fixture)

// -- what the job writes
// ----------------------------------------------------------------

CAF_TEST(a new follower is notified once with the follower) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(bob, ann);
  const auto chunks = run_job();
  CAF_REQUIRE_EQUAL(chunks.size(), 1u);
  CAF_CHECK_EQUAL(chunks[0].touched, 1);
  CAF_CHECK(chunks[0].stale.empty());
  CAF_CHECK_EQUAL(notes_of(ann), std::vector<std::string>{
                                     "new_follower|{\"follower\": {\"id\": " +
                                     str(bob) + ", \"name\": \"Bob\"}}"});
  CAF_CHECK(notes_of(bob).empty());
  CAF_CHECK_EQUAL(run_all(), 0);
  CAF_CHECK_EQUAL(count_notes(), 1);
}

CAF_TEST(a new message is notified once to its recipient with the sender) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto m1 = message(bob, ann);
  const auto m2 = message(bob, ann);
  CAF_CHECK_EQUAL(run_all(), 2);
  const std::string from =
      "\"from\": {\"id\": " + str(bob) + ", \"name\": \"Bob\"}";
  CAF_CHECK_EQUAL(
      notes_of(ann),
      (std::vector<std::string>{
          "new_message|{\"from\": {\"id\": " + str(bob) +
              ", \"name\": \"Bob\"}, \"message_id\": " + str(m1) + "}",
          "new_message|{\"from\": {\"id\": " + str(bob) +
              ", \"name\": \"Bob\"}, \"message_id\": " + str(m2) + "}"}));
  CAF_CHECK(notes_of(bob).empty());
  CAF_CHECK_EQUAL(run_all(), 0);
}

CAF_TEST(a booking of a class within the next hour gets one reminder) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto soon = booked_class(30 * minute, {ann, bob});
  const auto later = booked_class(2 * 60 * minute, {ann});
  CAF_CHECK_EQUAL(run_all(), 2);
  const auto c = decode_classes(must(classes_get(soon))).at(0);
  const auto want = "class_reminder|{\"title\": \"" + c.title +
                    "\", \"class_id\": " + str(soon) + ", \"starts_at\": \"" +
                    numina::format_rfc3339(c.starts_at) + "\"}";
  CAF_CHECK_EQUAL(notes_of(ann), std::vector<std::string>{want});
  CAF_CHECK_EQUAL(notes_of(bob), std::vector<std::string>{want});
  CAF_CHECK_EQUAL(run_all(), 0);
  // Once the later class comes within the hour, its reminder follows.
  sql("UPDATE classes SET starts_at = whole_now() + interval '59 minutes'"
      " WHERE id = " +
      str(later));
  CAF_CHECK_EQUAL(run_all(), 1);
  CAF_CHECK_EQUAL(notes_of(ann).size(), 2u);
}

CAF_TEST(a late booking is reminded at the next run and a past class never) {
  const auto ann = make_user("Ann");
  const auto soon = booked_class(20 * minute, {ann});
  CAF_CHECK_EQUAL(run_all(), 1);
  const auto carl = make_user("Carl");
  must(bookings_create(soon, carl));
  CAF_CHECK_EQUAL(run_all(), 1);
  CAF_CHECK_EQUAL(notes_of(carl).size(), 1u);
  // A class that has started is not reminded.
  const auto started = booked_class(10 * minute, {make_user()});
  sql("UPDATE classes SET starts_at = whole_now() - interval '1 minute'"
      " WHERE id = " +
      str(started));
  CAF_CHECK_EQUAL(run_all(), 0);
}

CAF_TEST(notifications are written exactly once when runs start over) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(bob, ann);
  message(ann, bob);
  booked_class(30 * minute, {ann});
  CAF_CHECK_EQUAL(run_all(), 3);
  // As if a run had crashed between its inserts and its watermark update,
  // or the job's row had been lost: everything is read again.
  sql("DELETE FROM job_state WHERE name = 'notifications'");
  CAF_CHECK_EQUAL(run_all(), 0);
  CAF_CHECK_EQUAL(count_notes(), 3);
}

CAF_TEST(a refollow after an unfollow does not notify again) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(bob, ann);
  CAF_CHECK_EQUAL(run_all(), 1);
  sql("DELETE FROM follows");
  follow(bob, ann);
  CAF_CHECK_EQUAL(run_all(), 0);
  CAF_CHECK_EQUAL(notes_of(ann).size(), 1u);
}

CAF_TEST(four runs at once write each notification exactly once) {
  // 40 follows, 40 messages and 30 reminders, each in its own transaction.
  std::vector<int64_t> users;
  for (int k = 0; k < 10; ++k)
    users.push_back(make_user("U" + str(k)));
  const auto u = [&](int k) { return users[static_cast<size_t>(k % 10)]; };
  for (int k = 0; k < 40; ++k)
    follow(u(k), u(k + 1 + k / 10));
  for (int k = 0; k < 40; ++k)
    message(u(k), u(k + 3));
  for (int k = 0; k < 3; ++k)
    booked_class((10 + k) * minute, users);
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<int64_t>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [&] {
      auto exec = new_executor();
      opened.wait();
      int64_t written = 0;
      for (int n = 0; n < 200; ++n) {
        auto r = exec->run(jobs_notifications(7));
        if (!r) // checked by the caller (CAF's checks are not thread-safe)
          return int64_t{-1};
        auto c = decode_job_chunk(r.value());
        written += c.touched;
        if (!c.more)
          return written;
      }
      return int64_t{-1};
    }));
  gate.set_value();
  int64_t written = 0;
  for (auto& r : runs) {
    const auto n = r.get();
    CAF_CHECK_GREATER_OR_EQUAL(n, 0);
    written += n;
  }
  CAF_CHECK_EQUAL(written, 110);
  CAF_CHECK_EQUAL(count_notes(), 110);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM notifications"
                            " WHERE kind = 'new_follower'"),
                  "40");
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM notifications"
                            " WHERE kind = 'new_message'"),
                  "40");
  CAF_CHECK_EQUAL(run_all(), 0);
}

CAF_TEST(the job works in bounded chunks until it says no more) {
  const auto ann = make_user("Ann");
  std::vector<int64_t> fans;
  for (int k = 0; k < 5; ++k) {
    fans.push_back(make_user());
    follow(fans.back(), ann);
  }
  const auto chunks = run_job(2);
  // 2 + 2 + 1 follows: the third chunk is not full, so it is the last.
  CAF_REQUIRE_EQUAL(chunks.size(), 3u);
  CAF_CHECK_EQUAL(chunks[0].touched, 2);
  CAF_CHECK(chunks[0].more);
  CAF_CHECK_EQUAL(chunks[1].touched, 2);
  CAF_CHECK(chunks[1].more);
  CAF_CHECK_EQUAL(chunks[2].touched, 1);
  CAF_CHECK(!chunks[2].more);
  CAF_CHECK_EQUAL(notes_of(ann).size(), 5u);
}

CAF_TEST(reminders come in bounded chunks too) {
  std::vector<int64_t> members;
  for (int k = 0; k < 5; ++k)
    members.push_back(make_user());
  booked_class(30 * minute, members);
  const auto chunks = run_job(2);
  CAF_REQUIRE_EQUAL(chunks.size(), 3u);
  CAF_CHECK(chunks[0].more);
  CAF_CHECK(chunks[1].more);
  CAF_CHECK(!chunks[2].more);
  CAF_CHECK_EQUAL(count_notes(), 5);
}

CAF_TEST(a follow that commits after a later one was read is still notified) {
  const auto ann = make_user("Ann");
  const auto slow_fan = make_user("Slow");
  const auto fast_fan = make_user("Fast");
  pqxx::connection conn{url()};
  pqxx::work slow{conn};
  slow.exec("INSERT INTO follows (follower_id, following_id) VALUES (" +
            str(slow_fan) + ", " + str(ann) + ")");
  follow(fast_fan, ann);
  // Nothing at or after the running transaction is read yet.
  CAF_CHECK_EQUAL(run_all(), 0);
  slow.commit();
  CAF_CHECK_EQUAL(run_all(), 2);
  CAF_CHECK_EQUAL(notes_of(ann).size(), 2u);
}

CAF_TEST(the job refuses a batch size below one) {
  CAF_CHECK_EQUAL(refusal(jobs_notifications(0)), error_code::internal);
}

// -- notifications.list and notifications.read
// ------------------------------------------

CAF_TEST(notifications come newest first and page without repeats or gaps) {
  const auto ann = make_user("Ann");
  const auto other = make_user("Other");
  // 17 notifications over 4 seconds, set against the order of their ids;
  // another user's are never listed.
  for (int k = 0; k < 17; ++k) {
    follow(make_user(), ann);
    follow(make_user(), other);
  }
  run_all();
  sql("UPDATE notifications SET created_at = to_timestamp(" + str(base_time) +
      " + (id * 3) % 4)");
  const auto want =
      sql_rows("SELECT id FROM notifications WHERE user_id = " + str(ann) +
               " ORDER BY created_at DESC, id DESC");
  CAF_REQUIRE_EQUAL(want.size(), 17u);
  for (int limit : {1, 5, 17, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    auto items = all_pages<notification_row>(
        [&](const std::optional<page_key>& after) {
          return decode_notification_page(
              must(notifications_list(ann, after, limit)), limit);
        },
        limit, well_formed);
    CAF_CHECK(well_formed);
    std::vector<std::string> got;
    for (const auto& n : items) {
      got.push_back(str(n.id));
      CAF_CHECK_EQUAL(n.kind, "new_follower");
      CAF_CHECK(!n.read);
    }
    CAF_CHECK_EQUAL(got, want);
  }
}

CAF_TEST(marking read changes only the callers unread notifications) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(bob, ann);
  follow(make_user(), ann);
  follow(ann, bob);
  run_all();
  const auto mine = page_of(ann).items;
  const auto theirs = page_of(bob).items;
  CAF_REQUIRE_EQUAL(mine.size(), 2u);
  CAF_REQUIRE_EQUAL(theirs.size(), 1u);
  // Bob marks one of Ann's and his own: only his own changes.
  auto r = must(notifications_mark_read(bob, {mine[0].id, theirs[0].id}));
  CAF_CHECK_EQUAL(r.affected, 1u);
  CAF_CHECK(!page_of(ann).items[0].read);
  CAF_CHECK(page_of(bob).items[0].read);
  // Ann marks one of hers, an unknown id and a duplicate.
  r = must(notifications_mark_read(ann, {mine[1].id, mine[1].id, 999999}));
  CAF_CHECK_EQUAL(r.affected, 1u);
  auto after = page_of(ann).items;
  CAF_CHECK(!after[0].read);
  CAF_CHECK(after[1].read);
  // Marking again keeps the first read time.
  sql("UPDATE notifications SET read_at = read_at - interval '1 hour'"
      " WHERE read_at IS NOT NULL");
  const auto first = sql_value("SELECT read_at FROM notifications WHERE id = " +
                               str(mine[1].id));
  r = must(notifications_mark_read(ann, {mine[1].id}));
  CAF_CHECK_EQUAL(r.affected, 0u);
  CAF_CHECK_EQUAL(sql_value("SELECT read_at FROM notifications WHERE id = " +
                            str(mine[1].id)),
                  first);
}

CAF_TEST(the notification list refuses a limit outside 1 to 100) {
  CAF_CHECK_EQUAL(refusal(notifications_list(make_user(), std::nullopt, 0)),
                  error_code::validation_failed);
}

CAF_TEST(notification times must be whole seconds) {
  const auto ann = make_user("Ann");
  follow(make_user(), ann);
  run_all();
  // The database refuses what would break the list's page keys.
  try {
    sql("UPDATE notifications SET created_at = created_at + interval '0.5 s'");
    CAF_ERROR("a fractional created_at was accepted");
  } catch (const pqxx::check_violation&) {
  }
}

// -- plans
// ----------------------------------------------------------------------------------

CAF_TEST(the list and the job read their indexes) {
  // 3000 users, 30000 follows and 30000 messages (one conversation per
  // sender), 2000 classes of which 20 start within the hour, 10 bookings
  // each, 60000 notifications (half of them reminders); then ANALYZE.
  sql("INSERT INTO users (email, name, password_hash)"
      " SELECT 'n' || g || '@example.com', 'N' || g, 'h'"
      " FROM generate_series(1, 3000) g");
  sql("INSERT INTO follows (follower_id, following_id)"
      " SELECT f, 1 + (f + k * 37) % 3000 FROM generate_series(1, 3000) f,"
      " generate_series(1, 10) k WHERE 1 + (f + k * 37) % 3000 <> f"
      " ON CONFLICT DO NOTHING");
  sql("INSERT INTO conversations (user_a, user_b)"
      " SELECT g, g + 1 FROM generate_series(1, 2999) g");
  sql("INSERT INTO messages (conversation_id, sender_id, recipient_id, text)"
      " SELECT c.id, c.user_a, c.user_b, 'hi' FROM conversations c,"
      " generate_series(1, 10) k");
  sql("INSERT INTO classes (provider_id, title, starts_at, duration_min,"
      " capacity) SELECT 1 + g % 50, 'Class ' || g,"
      " whole_now() + interval '10 minutes' + (g - 1) * interval '2 minutes',"
      " 60, 100 FROM generate_series(1, 2000) g");
  sql("INSERT INTO bookings (class_id, user_id)"
      " SELECT c.id, 1 + (c.id * 7 + k) % 3000 FROM classes c,"
      " generate_series(1, 10) k ON CONFLICT DO NOTHING");
  sql("INSERT INTO notifications (user_id, kind, payload, dedup_key)"
      " SELECT 1 + g % 3000, CASE WHEN g % 2 = 0 THEN 'class_reminder'"
      "  ELSE 'new_follower' END, '{}', g::text"
      " FROM generate_series(1, 60000) g");
  sql("ANALYZE");
  for (bool generic : {false, true}) {
    const auto list = logged_plan(*this, notifications_list_page,
                                  "42, 'infinity', 0, 10", generic);
    CAF_CHECK(reads_index(list, "notifications_user_created_at_idx"));
    CAF_CHECK(list.find("Seq Scan") == std::string::npos);
    const auto chunk_plan = logged_plan(*this, notification_job_chunk,
                                        "'0', '999999999', 1000", generic);
    CAF_CHECK(reads_index(chunk_plan, "follows_xact_idx"));
    CAF_CHECK(reads_index(chunk_plan, "messages_xact_idx"));
    CAF_CHECK(chunk_plan.find("Seq Scan") == std::string::npos);
    const auto reminders =
        logged_plan(*this, notification_job_reminders, "1000", generic);
    CAF_CHECK(reads_index(reminders, "classes_starts_at_idx"));
    CAF_CHECK(reads_index(reminders, "notifications_dedup_key"));
    // The anti-join probes the whole dedup key, not every reminder of the
    // user.
    CAF_CHECK(std::regex_search(
        reminders, std::regex("Index Cond: .*user_id = b.user_id.*"
                              "dedup_key = \\(b.class_id\\)::text")));
    CAF_CHECK(reminders.find("Seq Scan on classes") == std::string::npos);
    CAF_CHECK(reminders.find("Seq Scan on notifications") == std::string::npos);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
