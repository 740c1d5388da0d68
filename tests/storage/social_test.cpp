// social.* operations and the feed job (jobs.feed) through the real
// executor, each test on a fresh database (storage_fixture.hpp).
#define CAF_SUITE storage_social
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <future>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "storage/jobs.hpp"
#include "storage/operation.hpp"
#include "storage/social.hpp"
#include "storage/social_statements.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::error_code;
using numina::testing::all_pages;
using numina::testing::storage_fixture;

namespace {

using ids = std::vector<int64_t>;

// What a whole run of the job did: its chunks' sums.
struct run_result {
  int chunks = 0;
  int64_t touched = 0;
  std::set<std::string> stale;
  bool ended = false; // a chunk said `more` false
};

struct fixture : storage_fixture {
  int64_t post(int64_t user, const std::string& text = "Ran 5 km",
               const std::string& kind = "workout") {
    return only_row(social_post_activity(user, kind, text), decode_activities)
        .id;
  }

  bool follow(int64_t follower, int64_t following) {
    return decode_follow_changed(must(social_follow(follower, following)));
  }

  bool unfollow(int64_t follower, int64_t following) {
    return decode_follow_changed(must(social_unfollow(follower, following)));
  }

  job_chunk chunk(int64_t batch) {
    try {
      return decode_job_chunk(must(feed_job_chunk(batch)));
    } catch (const std::exception& e) {
      CAF_ERROR("jobs.feed answered no chunk row: " << e.what());
      return {};
    }
  }

  // Calls the operation as the job actor does: until `more` is false.
  run_result run_job(int64_t batch = 1000) {
    run_result out;
    for (; out.chunks < 1000 && !out.ended; ++out.chunks) {
      auto c = chunk(batch);
      out.touched += c.touched;
      out.stale.insert(c.stale.begin(), c.stale.end());
      out.ended = !c.more;
    }
    CAF_CHECK(out.ended);
    return out;
  }

  // The ids of `owner`'s whole feed, walked in pages of `limit`.
  ids feed_ids(int64_t owner, int limit = 100) {
    bool well_formed = false;
    auto items = all_pages<activity_row>(
        [&](const std::optional<page_key>& after) {
          return decode_feed_page(must(social_feed(owner, after, limit)),
                                  limit);
        },
        limit, well_formed);
    CAF_CHECK(well_formed);
    ids out;
    for (const auto& a : items)
      out.push_back(a.id);
    return out;
  }

  int64_t feed_rows() {
    return std::stoll(sql_value("SELECT count(*) FROM feed_items"));
  }

  // Moves `user`'s updated_at an hour back, so that a bump is visible.
  void age_user(int64_t user) {
    sql("UPDATE users SET updated_at = updated_at - interval '1 hour'"
        " WHERE id = " +
        std::to_string(user));
  }

  int64_t updated_at(int64_t user) {
    return std::stoll(sql_value("SELECT extract(epoch FROM updated_at)::bigint"
                                " FROM users WHERE id = " +
                                std::to_string(user)));
  }

  // Activities of `user` at explicit times (unix seconds), behind the
  // operation's back (the trigger still queues them); their ids.
  ids posts_at(int64_t user, const std::vector<int64_t>& times) {
    ids out;
    for (auto t : times)
      out.push_back(std::stoll(sql_value(
          "INSERT INTO activities (user_id, kind, text, created_at)"
          " VALUES (" +
          std::to_string(user) + ", 'post', 'at " + std::to_string(t) +
          "', to_timestamp(" + std::to_string(t) + ")) RETURNING id")));
    return out;
  }
};

std::string prefix(int64_t owner) {
  return "feed:" + std::to_string(owner) + "|";
}

ids reversed(ids v) {
  std::reverse(v.begin(), v.end());
  return v;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_social_tests, fixture)

// -- follows ------------------------------------------------------------------

CAF_TEST(every social call builder names a registered operation) {
  for (const auto& call :
       {social_follow(1, 2), social_unfollow(1, 2),
        social_post_activity(1, "post", "x"), social_feed(1, std::nullopt, 10),
        feed_job_chunk(10)}) {
    CAF_MESSAGE(call.op);
    CAF_CHECK(find_operation(call.op) != nullptr);
  }
}

CAF_TEST(a follow is stored and moves both users update times once) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  age_user(ann);
  age_user(bob);
  const auto ann_before = updated_at(ann);
  const auto bob_before = updated_at(bob);
  CAF_CHECK(follow(ann, bob));
  CAF_CHECK_EQUAL(sql_rows("SELECT follower_id, following_id FROM follows"),
                  std::vector<std::string>{std::to_string(ann) + "|" +
                                           std::to_string(bob)});
  CAF_CHECK_GREATER_OR_EQUAL(updated_at(ann), ann_before + 3599);
  CAF_CHECK_GREATER_OR_EQUAL(updated_at(bob), bob_before + 3599);
  // A repeat is no change: no second row, no newer time.
  age_user(ann);
  const auto ann_again = updated_at(ann);
  CAF_CHECK(!follow(ann, bob));
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM follows"), "1");
  CAF_CHECK_EQUAL(updated_at(ann), ann_again);
}

CAF_TEST(following an unknown user is not found and oneself is invalid) {
  const auto ann = make_user("Ann");
  CAF_CHECK_EQUAL(refusal(social_follow(ann, ann + 1000)),
                  error_code::not_found);
  auto self = run(social_follow(ann, ann));
  CAF_CHECK(!self);
  if (!self) {
    CAF_CHECK_EQUAL(self.error().code, error_code::validation_failed);
    CAF_CHECK_EQUAL(self.error().field, "id");
  }
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM follows"), "0");
}

CAF_TEST(an unfollow removes the follow and moves both update times once) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(ann, bob);
  age_user(ann);
  age_user(bob);
  const auto bob_before = updated_at(bob);
  CAF_CHECK(unfollow(ann, bob));
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM follows"), "0");
  CAF_CHECK_GREATER_OR_EQUAL(updated_at(bob), bob_before + 3599);
  age_user(bob);
  const auto bob_again = updated_at(bob);
  CAF_CHECK(!unfollow(ann, bob));
  CAF_CHECK_EQUAL(updated_at(bob), bob_again);
  CAF_CHECK_EQUAL(refusal(social_unfollow(ann, bob + 1000)),
                  error_code::not_found);
}

// -- activities ---------------------------------------------------------------

CAF_TEST(a posted activity is returned in whole seconds and queued) {
  const auto ann = make_user("Ann");
  auto rows =
      decode_activities(must(social_post_activity(ann, "achievement", "PB!")));
  if (rows.size() != 1) {
    CAF_ERROR("expected one activity, got " << rows.size());
    return;
  }
  CAF_CHECK_GREATER(rows[0].id, 0);
  CAF_CHECK_EQUAL(rows[0].user_id, ann);
  CAF_CHECK_EQUAL(rows[0].kind, "achievement");
  CAF_CHECK_EQUAL(rows[0].text, "PB!");
  CAF_CHECK_LESS(std::abs(rows[0].created_at - numina::now_seconds()), 60);
  CAF_CHECK_EQUAL(
      sql_value("SELECT extract(microseconds FROM created_at)::bigint % "
                "1000000 FROM activities"),
      "0");
  CAF_CHECK_EQUAL(sql_value("SELECT activity_id FROM feed_pending_activities"),
                  std::to_string(rows[0].id));
}

CAF_TEST(an activity outside the kinds or of an unknown user is refused) {
  const auto ann = make_user("Ann");
  CAF_CHECK_EQUAL(refusal(social_post_activity(ann, "nap", "zzz")),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(social_post_activity(ann, "post", "")),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(social_post_activity(ann + 1000, "post", "hi")),
                  error_code::not_found);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM activities"), "0");
}

// -- the feed job -------------------------------------------------------------

CAF_TEST(the feed holds followees and own activities newest first only) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto cid = make_user("Cid");
  const auto dan = make_user("Dan"); // nobody Ann follows
  follow(ann, bob);
  follow(ann, cid);
  const auto a1 = posts_at(ann, {1000})[0];
  const auto b1 = posts_at(bob, {2000})[0];
  const auto c1 = posts_at(cid, {1500})[0];
  posts_at(dan, {3000});
  const auto b2 = posts_at(bob, {1500})[0]; // same second as c1, higher id
  const auto run = run_job();
  CAF_CHECK_EQUAL(feed_ids(ann), (ids{b1, b2, c1, a1}));
  // Bob follows nobody: only his own.
  CAF_CHECK_EQUAL(feed_ids(bob), (ids{b1, b2}));
  CAF_CHECK_EQUAL(feed_ids(dan).size(), 1u);
  // Every owner whose feed changed is reported, nobody else.
  CAF_CHECK_EQUAL(run.stale, (std::set<std::string>{prefix(ann), prefix(bob),
                                                    prefix(cid), prefix(dan)}));
  CAF_CHECK_EQUAL(run.touched, feed_rows());
  // The items carry their author's name.
  auto page = decode_feed_page(must(social_feed(ann, std::nullopt, 10)), 10);
  if (page.items.size() == 4) {
    CAF_CHECK_EQUAL(page.items[0].user_name, "Bob");
    CAF_CHECK_EQUAL(page.items[0].kind, "post");
    CAF_CHECK_EQUAL(page.items[3].user_name, "Ann");
    CAF_CHECK_EQUAL(page.items[3].created_at, 1000);
  } else {
    CAF_ERROR("expected 4 feed items, got " << page.items.size());
  }
}

CAF_TEST(a second run without changes touches nothing) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(ann, bob);
  post(bob);
  post(ann);
  const auto first = run_job();
  CAF_CHECK_EQUAL(first.touched, 3);
  const auto second = run_job();
  CAF_CHECK_EQUAL(second.touched, 0);
  CAF_CHECK(second.stale.empty());
  CAF_CHECK_EQUAL(second.chunks, 1);
  CAF_CHECK_EQUAL(feed_rows(), 3);
}

CAF_TEST(a new activity reaches only the author and followers at the next run) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto cid = make_user("Cid");
  follow(ann, bob);
  run_job();
  const auto b1 = post(bob);
  CAF_CHECK(feed_ids(ann).empty()); // not before the run
  const auto run = run_job();
  CAF_CHECK_EQUAL(run.touched, 2);
  CAF_CHECK_EQUAL(run.stale, (std::set<std::string>{prefix(ann), prefix(bob)}));
  CAF_CHECK_EQUAL(feed_ids(ann), ids{b1});
  CAF_CHECK(feed_ids(cid).empty());
}

CAF_TEST(an unfollow removes the followees items at the next run) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto cid = make_user("Cid");
  follow(ann, bob);
  follow(ann, cid);
  posts_at(bob, {1000, 2000});
  const auto c1 = posts_at(cid, {1500})[0];
  const auto a1 = posts_at(ann, {500})[0];
  run_job();
  CAF_CHECK_EQUAL(feed_ids(ann).size(), 4u);
  unfollow(ann, bob);
  CAF_CHECK_EQUAL(feed_ids(ann).size(), 4u); // not before the run
  const auto run = run_job();
  CAF_CHECK_EQUAL(run.touched, 2);
  CAF_CHECK_EQUAL(run.stale, std::set<std::string>{prefix(ann)});
  CAF_CHECK_EQUAL(feed_ids(ann), (ids{c1, a1}));
  CAF_CHECK_EQUAL(feed_ids(bob).size(), 2u); // Bob's own stay
}

CAF_TEST(an activity posted before a follow appears after the next run) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  const auto old = posts_at(bob, {1000, 2000});
  run_job();
  CAF_CHECK(feed_ids(ann).empty());
  follow(ann, bob);
  const auto run = run_job();
  CAF_CHECK_EQUAL(run.touched, 2);
  CAF_CHECK_EQUAL(run.stale, std::set<std::string>{prefix(ann)});
  CAF_CHECK_EQUAL(feed_ids(ann), reversed(old));
}

CAF_TEST(a follow and an unfollow between two runs change no feed) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  post(bob);
  run_job();
  follow(ann, bob);
  unfollow(ann, bob);
  const auto run = run_job();
  CAF_CHECK_EQUAL(run.touched, 0);
  CAF_CHECK(feed_ids(ann).empty());
}

CAF_TEST(a batch of one works in chunks that say more until done) {
  const auto star = make_user("Star");
  ids fans;
  for (int i = 0; i < 4; ++i) {
    fans.push_back(make_user("Fan"));
    follow(fans.back(), star);
  }
  const auto a1 = post(star);
  const auto a2 = post(star);
  // Pending: 4 follow pairs, 2 activities: 6 changes, one per chunk.
  for (int i = 0; i < 5; ++i) {
    auto c = chunk(1);
    CAF_CHECK(c.more);
  }
  // The sixth took the last change; a full batch cannot know it was the
  // last, so it says more, and the next finds nothing.
  CAF_CHECK(chunk(1).more);
  auto last = chunk(1);
  CAF_CHECK(!last.more);
  CAF_CHECK_EQUAL(last.touched, 0);
  for (auto fan : fans)
    CAF_CHECK_EQUAL(feed_ids(fan), (ids{a2, a1}));
  CAF_CHECK_EQUAL(feed_ids(star), (ids{a2, a1}));
  CAF_CHECK_EQUAL(feed_rows(), 10);
  CAF_CHECK_EQUAL(sql_value("SELECT watermark_id FROM job_state"
                            " WHERE name = 'feed'"),
                  std::to_string(a2));
}

CAF_TEST(feed pages neither repeat nor skip items within one second) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(ann, bob);
  // 23 activities over 5 seconds: ties in time are broken by id.
  std::vector<int64_t> times;
  for (int i = 0; i < 23; ++i)
    times.push_back(1000 + i % 5);
  auto bobs = posts_at(bob, times);
  auto anns = posts_at(ann, {1002, 1002, 999});
  run_job();
  std::vector<std::pair<int64_t, int64_t>> expected; // (time, id)
  for (size_t i = 0; i < bobs.size(); ++i)
    expected.push_back({times[i], bobs[i]});
  expected.push_back({1002, anns[0]});
  expected.push_back({1002, anns[1]});
  expected.push_back({999, anns[2]});
  std::sort(expected.rbegin(), expected.rend());
  ids want;
  for (auto& e : expected)
    want.push_back(e.second);
  for (int limit : {1, 3, 7, 26, 100})
    CAF_CHECK_EQUAL(feed_ids(ann, limit), want);
}

CAF_TEST(an activity committed after a later one still reaches the feed) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  follow(ann, bob);
  run_job();
  // The first activity takes the lower id but commits last: a watermark on
  // ids would have moved past it at the run in between.
  pqxx::connection other{url()};
  pqxx::work slow{other};
  const auto early =
      slow.exec("INSERT INTO activities (user_id, kind, text)"
                " VALUES (" +
                std::to_string(bob) + ", 'post', 'slow') RETURNING id")[0][0]
          .as<int64_t>();
  const auto late = post(bob, "fast");
  CAF_CHECK_LESS(early, late);
  run_job();
  CAF_CHECK_EQUAL(feed_ids(ann), ids{late});
  slow.commit();
  run_job();
  const auto now = feed_ids(ann);
  CAF_CHECK_EQUAL(now.size(), 2u);
  CAF_CHECK(std::find(now.begin(), now.end(), early) != now.end());
}

CAF_TEST(an unfollow still being written when a chunk runs is settled later) {
  const auto ann = make_user("Ann");
  const auto bob = make_user("Bob");
  posts_at(bob, {1000});
  run_job();
  // The follow is queued but not yet settled when the unfollow begins.
  follow(ann, bob);
  pqxx::connection other{url()};
  pqxx::work unfollowing{other};
  unfollowing.exec("DELETE FROM follows WHERE follower_id = " +
                   std::to_string(ann));
  // This run must neither settle the pair by the old follow nor drop the
  // unfollow's record of it.
  run_job();
  unfollowing.commit();
  run_job();
  CAF_CHECK(feed_ids(ann).empty());
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM feed_pending_follows"), "0");
}

CAF_TEST(two runs at once write every item exactly once) {
  std::vector<int64_t> users;
  for (int i = 0; i < 12; ++i)
    users.push_back(make_user("U"));
  // Everyone follows the next three; everyone posts twice.
  for (size_t i = 0; i < users.size(); ++i)
    for (size_t k = 1; k <= 3; ++k)
      follow(users[i], users[(i + k) % users.size()]);
  for (auto u : users) {
    post(u);
    post(u);
  }
  auto job = [this] {
    auto exec = new_executor();
    int64_t touched = 0;
    for (int i = 0; i < 1000; ++i) {
      auto rows = exec->run(feed_job_chunk(2));
      if (!rows)
        return int64_t{-1};
      auto c = decode_job_chunk(rows.value());
      touched += c.touched;
      if (!c.more)
        break;
    }
    return touched;
  };
  auto first = std::async(std::launch::async, job);
  auto second = std::async(std::launch::async, job);
  const auto touched = first.get() + second.get();
  // 12 users x 2 posts x (author + 3 followers).
  CAF_CHECK_EQUAL(feed_rows(), 96);
  CAF_CHECK_EQUAL(touched, 96);
  CAF_CHECK_EQUAL(run_job().touched, 0);
  CAF_CHECK_EQUAL(feed_ids(users[0]).size(), 8u);
}

CAF_TEST(a batch size below one is refused) {
  CAF_CHECK_EQUAL(refusal(feed_job_chunk(0)), error_code::internal);
}

CAF_TEST_FIXTURE_SCOPE_END()

// -- plans --------------------------------------------------------------------

namespace {

// 1000 users, each following 50 others and posting 5 activities; the
// feeds of the first 200 materialised (about 57000 feed rows); user 42
// also follows 250 more. 100 activities and 500 follow pairs are queued.
// Then the plans of the feed statements, as in plans_test.cpp (custom and
// generic).
struct plans_fixture : storage_fixture {
  plans_fixture() {
    sql("INSERT INTO users (email, name, password_hash)"
        " SELECT 'u' || g || '@example.com', 'User ' || g, 'h'"
        " FROM generate_series(1, 1000) g");
    sql("INSERT INTO follows (follower_id, following_id)"
        " SELECT f, 1 + (f + k * 37) % 1000"
        " FROM generate_series(1, 1000) f, generate_series(1, 50) k"
        " WHERE 1 + (f + k * 37) % 1000 <> f ON CONFLICT DO NOTHING");
    sql("INSERT INTO follows (follower_id, following_id)"
        " SELECT 42, f FROM generate_series(1, 1000, 4) f WHERE f <> 42"
        " ON CONFLICT DO NOTHING");
    sql("INSERT INTO activities (user_id, kind, text, created_at)"
        " SELECT u, 'post', 'Day ' || d,"
        "  timestamptz '2030-01-01T00:00:00Z' + (d * 1000 + u) * interval '1 s'"
        " FROM generate_series(1, 1000) u, generate_series(1, 5) d");
    sql("TRUNCATE feed_pending_activities, feed_pending_follows");
    sql("INSERT INTO feed_items (owner_id, activity_id, activity_created_at)"
        " SELECT f.follower_id, a.id, a.created_at"
        " FROM follows f JOIN activities a ON a.user_id = f.following_id"
        " WHERE f.follower_id <= 200"
        " UNION ALL SELECT user_id, id, created_at FROM activities");
    // What a busy minute leaves queued.
    sql("INSERT INTO feed_pending_activities"
        " SELECT id FROM activities WHERE id % 50 = 0");
    sql("INSERT INTO feed_pending_follows (follower_id, following_id)"
        " SELECT follower_id, following_id FROM follows"
        " WHERE follower_id % 100 = 0");
    sql("ANALYZE");
  }

  std::string plan(const statement& s, const std::string& args, bool generic) {
    auto text = query_plan(s.sql, args, generic);
    CAF_MESSAGE(s.name << (generic ? " (generic)" : " (custom)") << " with ("
                       << args << "):\n"
                       << text);
    return text;
  }

  static bool has(const std::string& plan, const std::string& pattern) {
    return std::regex_search(plan, std::regex(pattern));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_social_plans, plans_fixture)

CAF_TEST(a feed page reads feed_items_owner_created_at_idx backwards) {
  for (bool generic : {false, true})
    for (const char* args :
         {"42, 'infinity', 0, 10", "42, '1900000000', 77, 100"}) {
      const auto text = plan(feed_page_list, args, generic);
      CAF_CHECK(has(text, "Index (Only )?Scan Backward using "
                          "feed_items_owner_created_at_idx on feed_items"));
      CAF_CHECK(!has(text, "Seq Scan on (feed_items|activities) "));
      CAF_CHECK(!has(text, "Sort"));
    }
}

// What holds at any table size: the queues are taken through their keys
// and the feeds are never scanned whole. (Whether activities and follows
// are probed or hashed depends on their size against the batch: at this
// test's size a hash is sometimes cheaper; docs/queries.md.)
CAF_TEST(a feed job chunk takes its queues and reaches the feeds by key) {
  for (bool generic : {false, true}) {
    const auto fan_out = plan(feed_fan_out, "10", generic);
    CAF_CHECK(has(fan_out, "Index Scan using feed_pending_activities_pkey"));
    CAF_CHECK(!has(fan_out, "Seq Scan on feed_items "));
    const auto settle = plan(feed_settle_follows, "10", generic);
    CAF_CHECK(has(settle, "Index Scan using feed_pending_follows_pkey"));
    CAF_CHECK(has(settle, "Index (Only )?Scan using follows_\\w+ on follows"));
    CAF_CHECK(has(settle, "Index Scan using feed_items_pkey on feed_items"));
    CAF_CHECK(!has(settle, "Seq Scan on feed_items "));
  }
}

// A chunk of 1000 changes: its custom plan may hash a table of this test's
// size rather than probe it a thousand times (docs/queries.md), but the
// generic plan, which a statement run this often settles on, probes the
// feeds by their primary key whatever the table's size.
CAF_TEST(a big feed job chunk settles on probing the feeds by key) {
  for (const auto* s : {&feed_fan_out, &feed_settle_follows})
    CAF_CHECK(!has(plan(*s, "1000", true), "Seq Scan on feed_items "));
  CAF_CHECK(has(plan(feed_settle_follows, "1000", true),
                "Index Scan using feed_items_pkey on feed_items"));
}

CAF_TEST_FIXTURE_SCOPE_END()
