// auth.* and users.* operations through the real executor, each test on a
// fresh database (storage_fixture.hpp).
#define CAF_SUITE storage_users
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "storage/users.hpp"
#include "tests/storage/storage_fixture.hpp"

using namespace numina::storage;
using numina::error_code;
using numina::testing::all_pages;
using numina::testing::storage_fixture;
using numina::testing::token_hash;

namespace {

struct fixture : storage_fixture {
  user_row user_of(const db_call& call) { return only_row(call, decode_users); }

  // `count` users made behind the operations' backs; their ids, ascending.
  std::vector<int64_t> bulk_users(int count, const std::string& prefix) {
    std::vector<int64_t> ids;
    for (const auto& id :
         sql_rows("INSERT INTO users (email, name, password_hash)"
                  " SELECT '" +
                  prefix + "' || g || '@example.com', '" + prefix +
                  "' || g, 'h' FROM generate_series(1, " +
                  std::to_string(count) + ") g RETURNING id"))
      ids.push_back(std::stoll(id));
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // Follow rows from each of `from` to `to` (or the reverse), the k-th at
  // 2030-01-01 + k/3 seconds. Within each second the fractions fall as ids
  // rise, so an order by the raw time would differ from the contract's
  // (whole seconds, then id).
  void follows_in_thirds(const std::vector<int64_t>& others, int64_t user,
                         bool others_follow_user) {
    for (size_t k = 0; k < others.size(); ++k) {
      const std::string at = "timestamptz '2030-01-01T00:00:00Z' + interval '" +
                             std::to_string(k / 3) + "." +
                             std::to_string(6 - 3 * static_cast<int>(k % 3)) +
                             " seconds'";
      const auto follower = others_follow_user ? others[k] : user;
      const auto following = others_follow_user ? user : others[k];
      sql("INSERT INTO follows (follower_id, following_id, created_at) VALUES "
          "(" +
          std::to_string(follower) + ", " + std::to_string(following) + ", " +
          at + ")");
    }
  }

  std::vector<int64_t> ids_of_pages(bool followers, int64_t user, int limit,
                                    bool& well_formed) {
    auto items = all_pages<user_ref>(
        [&](const std::optional<page_key>& after) {
          auto call = followers ? users_followers(user, after, limit)
                                : users_following(user, after, limit);
          return decode_user_refs(must(call), limit);
        },
        limit, well_formed);
    std::vector<int64_t> ids;
    for (const auto& u : items)
      ids.push_back(u.id);
    return ids;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_users_tests, fixture)

CAF_TEST(register creates the user and a session that names it) {
  const auto u = user_of(
      auth_register("Alice@Example.COM", "Alice", "argon", token_hash(1)));
  CAF_CHECK_GREATER(u.id, 0);
  CAF_CHECK_EQUAL(u.email, "Alice@Example.COM"); // stored as given
  CAF_CHECK_EQUAL(u.name, "Alice");
  CAF_CHECK_EQUAL(u.bio, "");
  CAF_CHECK_EQUAL(u.created_at, u.updated_at);
  CAF_CHECK_LESS(std::abs(u.created_at - numina::now_seconds()), 60);
  CAF_CHECK_EQUAL(decode_session_user(must(auth_session_user(token_hash(1)))),
                  u.id);
  CAF_CHECK_EQUAL(sql_value("SELECT password_hash FROM users"), "argon");
}

CAF_TEST(
    register refuses an email that differs only in case and stores nothing) {
  must(auth_register("bob@example.com", "Bob", "h", token_hash(1)));
  CAF_CHECK_EQUAL(
      refusal(auth_register("BOB@Example.Com", "Bobby", "h", token_hash(2))),
      error_code::email_taken);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM users"), "1");
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM sessions"), "1");
  CAF_CHECK(!decode_session_user(must(auth_session_user(token_hash(2)))));
}

CAF_TEST(a login lookup matches the email case insensitively) {
  const auto u = user_of(
      auth_register("Carol@Example.com", "Carol", "the-hash", token_hash(1)));
  auto logins = decode_logins(must(auth_user_by_email("cAROL@example.COM")));
  if (logins.size() != 1) {
    CAF_ERROR("expected one login row, got " << logins.size());
    return;
  }
  CAF_CHECK_EQUAL(logins[0].user.id, u.id);
  CAF_CHECK_EQUAL(logins[0].user.email, "Carol@Example.com");
  CAF_CHECK_EQUAL(logins[0].password_hash, "the-hash");
  CAF_CHECK(
      decode_logins(must(auth_user_by_email("nobody@example.com"))).empty());
}

CAF_TEST(a new session works beside the first and needs an existing user) {
  const auto id = make_user();
  must(auth_create_session(id, token_hash(100)));
  CAF_CHECK_EQUAL(decode_session_user(must(auth_session_user(token_hash(100)))),
                  id);
  CAF_CHECK_EQUAL(decode_session_user(must(auth_session_user(token_hash(1)))),
                  id);
  CAF_CHECK_EQUAL(refusal(auth_create_session(id + 1000, token_hash(101))),
                  error_code::not_found);
  CAF_CHECK(!decode_session_user(must(auth_session_user(token_hash(101)))));
}

CAF_TEST(revoking a session stops only that token and may be repeated) {
  const auto id = make_user();
  must(auth_create_session(id, token_hash(2)));
  const auto first = must(auth_revoke(token_hash(1)));
  CAF_CHECK_EQUAL(first.affected, 1u);
  CAF_CHECK(!decode_session_user(must(auth_session_user(token_hash(1)))));
  CAF_CHECK_EQUAL(decode_session_user(must(auth_session_user(token_hash(2)))),
                  id);
  const auto again = must(auth_revoke(token_hash(1)));
  CAF_CHECK_EQUAL(again.affected, 0u);
  must(auth_revoke(token_hash(999))); // unknown: nothing to do
  CAF_CHECK_EQUAL(
      sql_value("SELECT count(*) FROM sessions WHERE revoked_at IS NULL"), "1");
}

CAF_TEST(users get returns the own object and no row for a missing id) {
  const auto id = make_user("Dora");
  const auto u = user_of(users_get(id));
  CAF_CHECK_EQUAL(u.id, id);
  CAF_CHECK_EQUAL(u.email, "user1@example.com");
  CAF_CHECK_EQUAL(u.name, "Dora");
  CAF_CHECK(decode_users(must(users_get(id + 1))).empty());
}

CAF_TEST(a patch changes only the given fields and the update time) {
  const auto id = make_user("Eve");
  // An hour back, so that the patch's new time is visibly later.
  sql("UPDATE users SET created_at = now() - interval '1 hour',"
      " updated_at = now() - interval '1 hour'");
  const auto before = user_of(users_get(id));
  const auto bio = user_of(users_patch(id, std::nullopt, std::string{"Runs"}));
  CAF_CHECK_EQUAL(bio.name, "Eve");
  CAF_CHECK_EQUAL(bio.bio, "Runs");
  CAF_CHECK_EQUAL(bio.created_at, before.created_at);
  CAF_CHECK_GREATER_OR_EQUAL(bio.updated_at, before.updated_at + 3599);
  const auto name = user_of(users_patch(id, std::string{"Eva"}, std::nullopt));
  CAF_CHECK_EQUAL(name.name, "Eva");
  CAF_CHECK_EQUAL(name.bio, "Runs");
  const auto cleared = user_of(users_patch(id, std::nullopt, std::string{}));
  CAF_CHECK_EQUAL(cleared.bio, "");
  CAF_CHECK_EQUAL(user_of(users_get(id)).name, "Eva");
  CAF_CHECK(
      decode_users(must(users_patch(id + 1, std::string{"X"}, std::nullopt)))
          .empty());
}

CAF_TEST(a patch that breaks a column rule is a validation failure) {
  const auto id = make_user("Fay");
  CAF_CHECK_EQUAL(refusal(users_patch(id, std::string{}, std::nullopt)),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(user_of(users_get(id)).name, "Fay");
}

CAF_TEST(a profile counts followers and following and has no email) {
  const auto me = make_user("Gus");
  const auto others = bulk_users(5, "other");
  for (size_t i = 0; i < 3; ++i)
    sql("INSERT INTO follows (follower_id, following_id) VALUES (" +
        std::to_string(others[i]) + ", " + std::to_string(me) + ")");
  sql("INSERT INTO follows (follower_id, following_id) VALUES (" +
      std::to_string(me) + ", " + std::to_string(others[4]) + ")");
  // Follows between others must not count.
  sql("INSERT INTO follows (follower_id, following_id) VALUES (" +
      std::to_string(others[0]) + ", " + std::to_string(others[1]) + ")");
  auto rows = must(users_profile(me));
  auto users = decode_users(rows);
  if (users.size() != 1) {
    CAF_ERROR("expected one profile");
    return;
  }
  CAF_CHECK_EQUAL(users[0].name, "Gus");
  CAF_CHECK_EQUAL(users[0].followers, 3);
  CAF_CHECK_EQUAL(users[0].following, 1);
  CAF_CHECK(std::find(rows.columns.begin(), rows.columns.end(), "email") ==
            rows.columns.end());
  CAF_CHECK(decode_users(must(users_profile(me + 100))).empty());
}

CAF_TEST(followers come newest first in whole seconds then by id and page
             without repeats or
         gaps) {
  const auto me = make_user("Hal");
  const auto others = bulk_users(25, "follower");
  follows_in_thirds(others, me, true);
  // Later seconds first; within a second the higher id first: that is the
  // reverse of creation order here.
  const std::vector<int64_t> expected(others.rbegin(), others.rend());
  for (int limit : {1, 5, 10, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    CAF_CHECK_EQUAL(ids_of_pages(true, me, limit, well_formed), expected);
    CAF_CHECK(well_formed);
  }
  // The page key and `since` are the follow's time in whole seconds.
  auto first = decode_user_refs(must(users_followers(me, std::nullopt, 2)), 2);
  if (first.items.size() != 2 || !first.next) {
    CAF_ERROR("expected a full first page with a next key");
    return;
  }
  // The 25th follow is alone in second 8; the 24th opens second 7.
  CAF_CHECK_EQUAL(first.items[0].since, numina::testing::future(8));
  CAF_CHECK_EQUAL(first.items[0].name, "follower25");
  CAF_CHECK_EQUAL(first.items[1].since, numina::testing::future(7));
  CAF_CHECK_EQUAL(first.next->at, numina::testing::future(7));
  CAF_CHECK_EQUAL(first.next->id, others[23]);
  // Nobody follows a follower.
  CAF_CHECK(
      decode_user_refs(must(users_followers(others[0], std::nullopt, 10)), 10)
          .items.empty());
}

CAF_TEST(following comes newest first and pages without repeats or gaps) {
  const auto me = make_user("Ida");
  const auto others = bulk_users(24, "followee");
  follows_in_thirds(others, me, false);
  const std::vector<int64_t> expected(others.rbegin(), others.rend());
  for (int limit : {1, 5, 10, 100}) {
    CAF_MESSAGE("limit " << limit);
    bool well_formed = false;
    CAF_CHECK_EQUAL(ids_of_pages(false, me, limit, well_formed), expected);
    CAF_CHECK(well_formed);
  }
  CAF_CHECK(decode_user_refs(must(users_followers(me, std::nullopt, 10)), 10)
                .items.empty());
}

CAF_TEST(a follow list refuses a limit outside 1 to 100) {
  const auto me = make_user();
  CAF_CHECK_EQUAL(refusal(users_followers(me, std::nullopt, 0)),
                  error_code::validation_failed);
  CAF_CHECK_EQUAL(refusal(users_following(me, std::nullopt, 101)),
                  error_code::validation_failed);
}

CAF_TEST(of twenty concurrent registrations of one email exactly one wins) {
  constexpr int racers = 20;
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  std::vector<std::future<error_code>> results;
  for (int i = 0; i < racers; ++i) {
    // Each racer writes the address in its own mix of cases.
    std::string email = "racer@example.com";
    for (size_t c = 0; c < email.size(); ++c)
      if ((i >> (c % 5)) & 1)
        email[c] = static_cast<char>(std::toupper(email[c]));
    results.push_back(std::async(std::launch::async, [&, i, email] {
      auto exec = new_executor();
      opened.wait();
      auto r = exec->run(auth_register(email, "Racer", "h", token_hash(i + 1)));
      return r ? error_code::none : r.error().code;
    }));
  }
  gate.set_value();
  int won = 0;
  int taken = 0;
  for (auto& r : results) {
    const auto code = r.get();
    won += code == error_code::none;
    taken += code == error_code::email_taken;
  }
  CAF_CHECK_EQUAL(won, 1);
  CAF_CHECK_EQUAL(taken, racers - 1);
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM users"), "1");
  CAF_CHECK_EQUAL(sql_value("SELECT count(*) FROM sessions"), "1");
}

CAF_TEST_FIXTURE_SCOPE_END()
