// Notifications of the real binary (api.md section 3, Notifications, and
// section 5): what the notification job (POST /admin/jobs/notifications/run)
// writes for a follow, a message and a booked class starting within the
// hour, each once; the newest-first list with paging and fields, never
// cached; marking read, only one's own, and its validation. The tests share
// the suite's numina; each registers its own users.
#define CAF_SUITE e2e_notifications
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "tests/e2e/api_support.hpp"
#include "tests/e2e/list_walk.hpp"

using namespace numina::e2e;

namespace {

const std::string notifications_path = "/api/v1/notifications";
const std::string read_path = "/api/v1/notifications/read";

std::string ids_body(const std::vector<int64_t>& ids) {
  std::string list;
  for (auto id : ids)
    list += (list.empty() ? "" : ",") + std::to_string(id);
  return "{\"ids\":[" + list + "]}";
}

struct fixture : api_fixture {
  account ann = api.register_user("Ann");
  account bob = api.register_user("Bob");

  // Runs the notification job and checks that it finished well.
  void run_notifications() {
    auto res = api.post("/admin/jobs/notifications/run", admin_token, {});
    CAF_REQUIRE_EQUAL(status_of(res), 200);
    CAF_CHECK_EQUAL(body_of(res)["outcome"].text(), "ok");
  }

  void follow(const account& follower, const account& followee) {
    CAF_CHECK_EQUAL(status_of(api.post("/api/v1/social/follow/" +
                                           std::to_string(followee.id),
                                       follower.token, {})),
                    204);
  }

  // A message that must be answered 201; its id.
  int64_t message(const account& from, const account& to) {
    auto res = api.post(
        "/api/v1/messages/send", from.token,
        json_object{}.set("to_user_id", to.id).set("text", "hello").str());
    CAF_CHECK_EQUAL(status_of(res), 201);
    return body_of(res)["id"].integer();
  }

  std::vector<json_value> notes_of(const account& who) {
    auto walk = walk_list(api, notifications_path, 100, who.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    return walk.items;
  }

  std::string refused(const std::string& body, std::string_view field) {
    return error_mismatch(api.post(read_path, ann.token, body), 400,
                          "validation_failed", field);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_notifications_tests, fixture)

// -- GET /notifications and the notification job
// ---------------------------------

CAF_TEST(a new user has no notifications and the list is never cached) {
  auto res = api.get(notifications_path, ann.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
  CAF_CHECK(!header_of(res, "etag").empty());
  CAF_CHECK_EQUAL(body_of(res).dump(), R"({"items":[],"next_cursor":null})");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(notifications_path, {}), 401, "unauthorized"), "");
}

CAF_TEST(a booked class starting within the hour gives one reminder) {
  const auto soon = api.create_class(
      bob, class_body(10, std::chrono::minutes{30}).set("title", "Spin"));
  const auto later = api.create_class(bob, class_body(10));
  api.book(ann, soon);
  api.book(ann, later);
  // Before the job runs there is nothing.
  CAF_CHECK(notes_of(ann).empty());
  run_notifications();
  auto notes = notes_of(ann);
  CAF_REQUIRE_EQUAL(notes.size(), 1u);
  const auto& n = notes[0];
  CAF_CHECK_EQUAL(sorted_keys(n), "created_at,id,kind,payload,read");
  CAF_CHECK(n["id"].is_integer());
  CAF_CHECK_EQUAL(n["kind"].text(), "class_reminder");
  CAF_CHECK_EQUAL(n["read"].dump(), "false");
  CAF_CHECK(is_utc_timestamp(n["created_at"].text()));
  CAF_CHECK_EQUAL(sorted_keys(n["payload"]), "class_id,starts_at,title");
  CAF_CHECK_EQUAL(n["payload"]["class_id"].integer(), soon);
  CAF_CHECK_EQUAL(n["payload"]["title"].text(), "Spin");
  CAF_CHECK_EQUAL(
      n["payload"]["starts_at"].text(),
      api.get_json(class_path(soon), ann.token)["starts_at"].text());
  // The provider did not book: no reminder.
  CAF_CHECK(notes_of(bob).empty());
  // Another run writes nothing new.
  run_notifications();
  CAF_CHECK_EQUAL(notes_of(ann).size(), 1u);
}

CAF_TEST(a follow and a message are notified once each) {
  follow(bob, ann);
  const auto m = message(bob, ann);
  run_notifications();
  auto notes = notes_of(ann);
  CAF_REQUIRE_EQUAL(notes.size(), 2u);
  // Written by one run, so the same second: the later event first.
  CAF_CHECK_EQUAL(notes[0]["kind"].text(), "new_message");
  CAF_CHECK_EQUAL(notes[0]["payload"].dump(),
                  "{\"from\":{\"id\":" + std::to_string(bob.id) +
                      ",\"name\":\"Bob\"},\"message_id\":" + std::to_string(m) +
                      "}");
  CAF_CHECK_EQUAL(notes[1]["kind"].text(), "new_follower");
  CAF_CHECK_EQUAL(notes[1]["payload"].dump(),
                  "{\"follower\":{\"id\":" + std::to_string(bob.id) +
                      ",\"name\":\"Bob\"}}");
  // Bob got nothing, and a second run adds nothing.
  CAF_CHECK(notes_of(bob).empty());
  run_notifications();
  CAF_CHECK_EQUAL(notes_of(ann).size(), 2u);
  // Following again (idempotent) or after an unfollow does not notify again.
  follow(bob, ann);
  CAF_CHECK_EQUAL(
      status_of(api.del("/api/v1/social/follow/" + std::to_string(ann.id),
                        bob.token)),
      204);
  follow(bob, ann);
  run_notifications();
  CAF_CHECK_EQUAL(notes_of(ann).size(), 2u);
}

CAF_TEST(notifications list newest first with paging and fields) {
  std::vector<int64_t> messages;
  for (int i = 0; i < 12; ++i)
    messages.push_back(message(bob, ann));
  run_notifications();
  auto first = api.get_json(notifications_path, ann.token);
  CAF_CHECK_EQUAL(first["items"].size(), 10u); // the default limit
  CAF_CHECK(first["next_cursor"].is_string());
  auto all = notes_of(ann);
  CAF_REQUIRE_EQUAL(all.size(), 12u);
  // Newest first: the last message's notification leads.
  std::vector<int64_t> from_payloads;
  for (const auto& n : all)
    from_payloads.push_back(n["payload"]["message_id"].integer());
  std::reverse(from_payloads.begin(), from_payloads.end());
  CAF_CHECK_EQUAL(from_payloads, messages);
  const auto ids = ints_of(all, "id");
  for (int limit : {1, 5, 12}) {
    CAF_MESSAGE("limit " << limit);
    auto walk = walk_list(api, notifications_path, limit, ann.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(ints_of(walk.items, "id"), ids);
  }
  auto some =
      api.get_json(notifications_path + "?fields=kind,read&limit=2", ann.token);
  CAF_REQUIRE_EQUAL(some["items"].size(), 2u);
  CAF_CHECK_EQUAL(some["items"][0].dump(),
                  R"({"kind":"new_message","read":false})");
}

CAF_TEST(the notification list refuses bad list parameters) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(notifications_path + "?limit=0", ann.token), 400,
                     "validation_failed", "limit"),
      "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(notifications_path + "?cursor=%%", ann.token), 400,
                     "validation_failed", "cursor"),
      "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(notifications_path + "?fields=body", ann.token),
                     400, "validation_failed", "fields"),
      "");
}

// -- POST /notifications/read
// ---------------------------------------------------------

CAF_TEST(marking read answers 204 and changes only the callers own) {
  follow(bob, ann);
  follow(ann, bob);
  message(bob, ann);
  run_notifications();
  auto mine = notes_of(ann);
  auto theirs = notes_of(bob);
  CAF_REQUIRE_EQUAL(mine.size(), 2u);
  CAF_REQUIRE_EQUAL(theirs.size(), 1u);
  const auto my_first = mine[0]["id"].integer();
  // Bob marks one of Ann's with his own: only his changes.
  auto res = api.post(read_path, bob.token,
                      ids_body({my_first, theirs[0]["id"].integer()}));
  CAF_CHECK_EQUAL(status_of(res), 204);
  CAF_CHECK_EQUAL(res ? res->body : "?", "");
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  CAF_CHECK_EQUAL(notes_of(bob)[0]["read"].dump(), "true");
  for (const auto& n : notes_of(ann))
    CAF_CHECK_EQUAL(n["read"].dump(), "false");
  // Ann marks her first (twice over), and an id that does not exist.
  res = api.post(read_path, ann.token,
                 ids_body({my_first, my_first, 9223372036854775807}));
  CAF_CHECK_EQUAL(status_of(res), 204);
  auto after = notes_of(ann);
  CAF_CHECK_EQUAL(after[0]["read"].dump(), "true");
  CAF_CHECK_EQUAL(after[1]["read"].dump(), "false");
  // An empty list is fine and changes nothing.
  CAF_CHECK_EQUAL(status_of(api.post(read_path, ann.token, R"({"ids":[]})")),
                  204);
  CAF_CHECK_EQUAL(notes_of(ann)[1]["read"].dump(), "false");
}

CAF_TEST(marking read refuses ids that are not a list of positive ids) {
  for (const char* bad : {"5", "\"1\"", "null", "{}", "[0]", "[-1]", "[1.5]",
                          "[\"1\"]", "[1,null]", "[[1]]"}) {
    CAF_MESSAGE("ids " << bad);
    CAF_CHECK_EQUAL(refused(json_object{}.raw("ids", bad).str(), "ids"), "");
  }
  CAF_CHECK_EQUAL(refused("{}", "ids"), "");
  CAF_CHECK_EQUAL(refused(R"({"ids":[1],"all":true})", "all"), "");
  std::vector<int64_t> many;
  for (int64_t i = 1; i <= 101; ++i)
    many.push_back(i);
  CAF_CHECK_EQUAL(refused(ids_body(many), "ids"), "");
  many.pop_back();
  CAF_CHECK_EQUAL(status_of(api.post(read_path, ann.token, ids_body(many))),
                  204);
  CAF_CHECK_EQUAL(error_mismatch(api.post(read_path, ann.token, "{\"ids\":"),
                                 400, "invalid_json"),
                  "");
}

CAF_TEST(marking read needs a token and a POST) {
  CAF_CHECK_EQUAL(error_mismatch(api.post(read_path, {}, R"({"ids":[1]})"), 401,
                                 "unauthorized"),
                  "");
  auto res = api.get(read_path, ann.token);
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  CAF_CHECK_EQUAL(header_of(res, "allow"), "POST");
}

CAF_TEST_FIXTURE_SCOPE_END()
