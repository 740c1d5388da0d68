// Messages of the real binary (api.md section 3, Messages, and section 5):
// send and its validation, one conversation per pair, the conversation
// list, one conversation's messages, paging, fields and the participant
// check. The tests share the suite's numina; each registers its own users,
// so every conversation a test sees is its own.
#define CAF_SUITE e2e_messages
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

const std::string send_path = "/api/v1/messages/send";
const std::string conversations_path = "/api/v1/messages/conversations";
constexpr int64_t unknown_id = 9223372036854775807;

constexpr std::string_view kanji = "\xe6\xbc\xa2"; // 3 bytes, 1 code point

std::string conversation_path(int64_t id) {
  return conversations_path + "/" + std::to_string(id);
}

struct fixture : api_fixture {
  account ann = api.register_user("Ann");
  account bob = api.register_user("Bob");

  std::optional<http_response> send_raw(const account& from,
                                        const std::string& body) {
    return api.post(send_path, from.token, body);
  }

  std::optional<http_response> send(const account& from, int64_t to,
                                    std::string_view text = "hello") {
    return send_raw(
        from, json_object{}.set("to_user_id", to).set("text", text).str());
  }

  // Sends a message that must be answered 201; its body.
  json_value sent(const account& from, const account& to,
                  std::string_view text = "hello") {
    auto res = send(from, to.id, text);
    CAF_CHECK_EQUAL(status_of(res), 201);
    return body_of(res);
  }

  std::string refused(const std::string& body, int status,
                      std::string_view code, std::string_view field) {
    return error_mismatch(send_raw(ann, body), status, code, field);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_messages_tests, fixture)

// -- send ---------------------------------------------------------------------

CAF_TEST(sending answers 201 with the message) {
  auto res = send(ann, bob.id, "Hi Bob");
  CAF_CHECK_EQUAL(status_of(res), 201);
  if (status_of(res) != 201)
    return;
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "no-store");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc),
                  "conversation_id,from_user_id,id,sent_at,text,to_user_id");
  CAF_CHECK(doc["id"].is_integer());
  CAF_CHECK_GREATER(doc["id"].integer(), 0);
  CAF_CHECK_GREATER(doc["conversation_id"].integer(), 0);
  CAF_CHECK_EQUAL(doc["from_user_id"].integer(), ann.id);
  CAF_CHECK_EQUAL(doc["to_user_id"].integer(), bob.id);
  CAF_CHECK_EQUAL(doc["text"].text(), "Hi Bob");
  CAF_CHECK(is_utc_timestamp(doc["sent_at"].text()));
}

CAF_TEST(both directions of a pair share one conversation) {
  const auto first = sent(ann, bob);
  const auto reply = sent(bob, ann);
  CAF_CHECK_EQUAL(reply["conversation_id"].integer(),
                  first["conversation_id"].integer());
  CAF_CHECK_NOT_EQUAL(reply["id"].integer(), first["id"].integer());
  const auto other = sent(ann, api.register_user("Cid"));
  CAF_CHECK_NOT_EQUAL(other["conversation_id"].integer(),
                      first["conversation_id"].integer());
}

CAF_TEST(a text of 1 or 4000 code points is accepted) {
  CAF_CHECK_EQUAL(sent(ann, bob, kanji)["text"].text(), std::string{kanji});
  const auto long_text = repeat(kanji, 4000);
  CAF_CHECK_EQUAL(sent(ann, bob, long_text)["text"].text(), long_text);
}

CAF_TEST(a text of 0 or 4001 code points is refused naming text) {
  CAF_CHECK_EQUAL(
      error_mismatch(send(ann, bob.id, ""), 400, "validation_failed", "text"),
      "");
  CAF_CHECK_EQUAL(error_mismatch(send(ann, bob.id, repeat(kanji, 4001)), 400,
                                 "validation_failed", "text"),
                  "");
}

CAF_TEST(a missing or mistyped field is refused naming it) {
  CAF_CHECK_EQUAL(refused(json_object{}.set("text", "hi").str(), 400,
                          "validation_failed", "to_user_id"),
                  "");
  CAF_CHECK_EQUAL(refused(json_object{}.set("to_user_id", bob.id).str(), 400,
                          "validation_failed", "text"),
                  "");
  CAF_CHECK_EQUAL(
      refused(json_object{}.set("to_user_id", bob.id).raw("text", "null").str(),
              400, "validation_failed", "text"),
      "");
  CAF_CHECK_EQUAL(
      refused(json_object{}.set("to_user_id", bob.id).raw("text", "5").str(),
              400, "validation_failed", "text"),
      "");
}

CAF_TEST(a to_user_id that is not a positive integer is refused naming it) {
  // 9223372036854775808 is one past the largest 64-bit id.
  for (const char* bad : {"0", "-3", "1.5", "100.0", "\"7\"", "null", "true",
                          "9223372036854775808", "[1]", "{}"}) {
    CAF_MESSAGE("to_user_id: " << bad);
    auto body = json_object{}.raw("to_user_id", bad).set("text", "hi").str();
    CAF_CHECK_EQUAL(error_mismatch(send_raw(ann, body), 400,
                                   "validation_failed", "to_user_id"),
                    "");
  }
}

CAF_TEST(an unknown field is refused naming it) {
  CAF_CHECK_EQUAL(refused(json_object{}
                              .set("to_user_id", bob.id)
                              .set("text", "hi")
                              .set("subject", "x")
                              .str(),
                          400, "validation_failed", "subject"),
                  "");
}

CAF_TEST(a body that is not a JSON object is refused) {
  CAF_CHECK_EQUAL(error_mismatch(send_raw(ann, "[1]"), 400, "invalid_json"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(send_raw(ann, "{"), 400, "invalid_json"), "");
}

CAF_TEST(messaging yourself is refused naming to_user_id) {
  CAF_CHECK_EQUAL(
      error_mismatch(send(ann, ann.id), 400, "validation_failed", "to_user_id"),
      "");
  CAF_CHECK_EQUAL(api.get_json(conversations_path, ann.token).dump(),
                  R"({"items":[],"next_cursor":null})");
}

CAF_TEST(messaging an unknown user answers 404 not_found) {
  CAF_CHECK_EQUAL(error_mismatch(send(ann, unknown_id), 404, "not_found"), "");
  CAF_CHECK_EQUAL(api.get_json(conversations_path, ann.token).dump(),
                  R"({"items":[],"next_cursor":null})");
}

CAF_TEST(sending needs a token and a JSON content type) {
  auto body = json_object{}.set("to_user_id", bob.id).set("text", "hi").str();
  CAF_CHECK_EQUAL(
      error_mismatch(api.post(send_path, {}, body), 401, "unauthorized"), "");
  CAF_CHECK_EQUAL(error_mismatch(api.post(send_path, ann.token, body,
                                          {{"Content-Type", "text/plain"}}),
                                 415, "unsupported_media_type"),
                  "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(send_path, ann.token), 405, "method_not_allowed"),
      "");
}

CAF_TEST(a repeated idempotency key sends the message once) {
  auto body = json_object{}.set("to_user_id", bob.id).set("text", "once").str();
  const header_list key{{"Idempotency-Key", "msg-" + unique_email()}};
  auto first = api.post(send_path, ann.token, body, key);
  CAF_CHECK_EQUAL(status_of(first), 201);
  if (status_of(first) != 201)
    return;
  auto again = api.post(send_path, ann.token, body, key);
  CAF_CHECK_EQUAL(status_of(again), 201);
  CAF_CHECK_EQUAL(header_of(again, "idempotent-replayed"), "true");
  CAF_CHECK_EQUAL(body_of(again).dump(), body_of(first).dump());
  auto list = api.get_json(
      conversation_path(body_of(first)["conversation_id"].integer()),
      ann.token);
  CAF_CHECK_EQUAL(list["items"].size(), 1u);
}

// -- conversations ------------------------------------------------------------

CAF_TEST(a user without messages has no conversations) {
  auto res = api.get(conversations_path, ann.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200)
    return;
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
  CAF_CHECK_EQUAL(body_of(res).dump(), R"({"items":[],"next_cursor":null})");
}

CAF_TEST(a conversation shows the other user and the last message) {
  sent(ann, bob, "first");
  const auto last = sent(bob, ann, "second");
  auto res = api.get(conversations_path, ann.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200)
    return;
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
  CAF_CHECK(!header_of(res, "etag").empty());
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK_EQUAL(doc["items"].size(), 1u);
  if (doc["items"].size() != 1u)
    return;
  const auto& c = doc["items"][0];
  CAF_CHECK_EQUAL(sorted_keys(c), "id,last_message,other_user");
  CAF_CHECK_EQUAL(c["id"].integer(), last["conversation_id"].integer());
  CAF_CHECK_EQUAL(c["other_user"].dump(),
                  R"({"id":)" + std::to_string(bob.id) + R"(,"name":"Bob"})");
  CAF_CHECK_EQUAL(c["last_message"].dump(), last.dump());
  // Bob sees the same conversation with Ann as the other user.
  auto theirs = api.get_json(conversations_path, bob.token);
  CAF_CHECK_EQUAL(theirs["items"].size(), 1u);
  if (theirs["items"].size() != 1u)
    return;
  CAF_CHECK_EQUAL(theirs["items"][0]["other_user"]["name"].text(), "Ann");
  CAF_CHECK_EQUAL(theirs["items"][0]["last_message"].dump(), last.dump());
}

CAF_TEST(conversations come most recent first and page without repeats) {
  // Five partners written to in turn, then the first again: each list is
  // ordered by (last message time, id) descending. Whole seconds make ties
  // likely, so the expected order is computed from what the list shows,
  // and the newest message is at the top whatever the tie-break.
  std::vector<account> partners;
  for (int i = 0; i < 5; ++i)
    partners.push_back(api.register_user("Partner " + std::to_string(i)));
  for (auto& p : partners)
    sent(ann, p);
  const auto newest = sent(partners.front(), ann, "back to you");
  auto all = api.get_json(conversations_path, ann.token);
  CAF_CHECK_EQUAL(all["items"].size(), 5u);
  if (all["items"].size() != 5u)
    return;
  std::vector<std::pair<std::string, int64_t>> keys;
  for (auto& c : all["items"].items())
    keys.emplace_back(c["last_message"]["sent_at"].text(), c["id"].integer());
  auto sorted = keys;
  std::sort(sorted.rbegin(), sorted.rend());
  CAF_CHECK_EQUAL(keys == sorted, true);
  // The conversation written to last carries the newest time (first, or
  // after others of the same second with larger ids) and its new message.
  CAF_CHECK_EQUAL(keys.front().first, newest["sent_at"].text());
  const auto& items = all["items"].items();
  auto replied = std::find_if(items.begin(), items.end(), [&](auto& c) {
    return c["id"].integer() == newest["conversation_id"].integer();
  });
  CAF_CHECK(replied != items.end());
  if (replied == items.end())
    return;
  CAF_CHECK_EQUAL((*replied)["last_message"].dump(), newest.dump());
  for (int limit : {1, 2, 4, 5}) {
    auto walk = walk_list(api, conversations_path, limit, ann.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(ints_of(walk.items, "id"), item_ids(all));
    CAF_CHECK_EQUAL(walk.pages, static_cast<size_t>((5 + limit - 1) / limit));
  }
}

CAF_TEST(conversations list ten by default) {
  for (int i = 0; i < 11; ++i)
    sent(api.register_user("P" + std::to_string(i)), ann);
  auto doc = api.get_json(conversations_path, ann.token);
  CAF_CHECK_EQUAL(doc["items"].size(), 10u);
  CAF_CHECK(doc["next_cursor"].is_string());
}

CAF_TEST(conversation fields select top level fields of each item) {
  const auto m = sent(ann, bob);
  auto doc =
      api.get_json(conversations_path + "?fields=id,last_message", ann.token);
  CAF_CHECK_EQUAL(doc["items"].size(), 1u);
  if (doc["items"].size() != 1u)
    return;
  CAF_CHECK_EQUAL(sorted_keys(doc["items"][0]), "id,last_message");
  CAF_CHECK_EQUAL(doc["items"][0]["last_message"].dump(), m.dump());
  doc = api.get_json(conversations_path + "?fields=other_user", ann.token);
  CAF_CHECK_EQUAL(sorted_keys(doc["items"][0]), "other_user");
}

CAF_TEST(bad list parameters of conversations answer 400 naming them) {
  sent(ann, bob);
  for (const char* q : {"?limit=0", "?limit=101", "?limit=x"})
    CAF_CHECK_EQUAL(error_mismatch(api.get(conversations_path + q, ann.token),
                                   400, "validation_failed", "limit"),
                    "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversations_path + "?cursor=bogus", ann.token),
                     400, "validation_failed", "cursor"),
      "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversations_path + "?fields=id,foo", ann.token),
                     400, "validation_failed", "fields"),
      "");
}

// -- one conversation ---------------------------------------------------------

CAF_TEST(a conversation lists its messages newest first) {
  std::vector<json_value> all;
  for (int i = 0; i < 4; ++i) {
    all.push_back(sent(ann, bob, "a" + std::to_string(i)));
    all.push_back(sent(bob, ann, "b" + std::to_string(i)));
  }
  const auto id = all.front()["conversation_id"].integer();
  auto res = api.get(conversation_path(id), ann.token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200)
    return;
  CAF_CHECK_EQUAL(header_of(res, "cache-control"), "private, no-cache");
  auto doc = body_of(res);
  CAF_CHECK_EQUAL(sorted_keys(doc), "items,next_cursor");
  CAF_CHECK(doc["next_cursor"].is_null());
  // Sent one after the other: times and ids both grow, so newest first is
  // the reverse of the sending order.
  std::vector<std::string> expected;
  for (auto i = all.rbegin(); i != all.rend(); ++i)
    expected.push_back(i->dump());
  std::vector<std::string> listed;
  for (auto& m : doc["items"].items())
    listed.push_back(m.dump());
  CAF_CHECK_EQUAL(listed, expected);
  // Bob reads the same list.
  CAF_CHECK_EQUAL(api.get_json(conversation_path(id), bob.token).dump(),
                  doc.dump());
}

CAF_TEST(a conversation pages ten by default without repeats or gaps) {
  const auto first = sent(ann, bob);
  const auto path = conversation_path(first["conversation_id"].integer());
  std::vector<int64_t> ids{first["id"].integer()};
  for (int i = 0; i < 13; ++i)
    ids.push_back(sent(i % 2 ? ann : bob, i % 2 ? bob : ann)["id"].integer());
  // Sent one after the other: newest first is the reverse order.
  std::reverse(ids.begin(), ids.end());
  auto page = api.get_json(path, ann.token);
  CAF_CHECK(page["next_cursor"].is_string());
  CAF_CHECK_EQUAL(item_ids(page),
                  std::vector<int64_t>(ids.begin(), ids.begin() + 10));
  for (int limit : {1, 3, 7, 14}) {
    auto walk = walk_list(api, path, limit, bob.token);
    CAF_CHECK_EQUAL(walk.problems, "");
    CAF_CHECK_EQUAL(ints_of(walk.items, "id"), ids);
  }
}

CAF_TEST(message fields select top level fields of each message) {
  const auto m = sent(ann, bob, "pick me");
  auto doc = api.get_json(conversation_path(m["conversation_id"].integer()) +
                              "?fields=id,text",
                          ann.token);
  CAF_CHECK_EQUAL(doc["items"].dump(), R"([{"id":)" +
                                           std::to_string(m["id"].integer()) +
                                           R"(,"text":"pick me"}])");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversation_path(m["conversation_id"].integer()) +
                                 "?fields=body",
                             ann.token),
                     400, "validation_failed", "fields"),
      "");
}

CAF_TEST(a conversation of others answers 403 forbidden) {
  const auto m = sent(ann, bob, "private");
  auto eve = api.register_user("Eve");
  CAF_CHECK_EQUAL(
      error_mismatch(
          api.get(conversation_path(m["conversation_id"].integer()), eve.token),
          403, "forbidden"),
      "");
}

CAF_TEST(an unknown conversation answers 404 not_found) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversation_path(unknown_id), ann.token), 404,
                     "not_found"),
      "");
}

CAF_TEST(a malformed conversation id answers 400 naming id) {
  for (const char* bad : {"abc", "0", "-1", "1.5", "99999999999999999999"})
    CAF_CHECK_EQUAL(
        error_mismatch(api.get(conversations_path + "/" + bad, ann.token), 400,
                       "validation_failed", "id"),
        "");
}

CAF_TEST(bad list parameters of a conversation answer 400 naming them) {
  const auto path =
      conversation_path(sent(ann, bob)["conversation_id"].integer());
  CAF_CHECK_EQUAL(error_mismatch(api.get(path + "?limit=101", ann.token), 400,
                                 "validation_failed", "limit"),
                  "");
  CAF_CHECK_EQUAL(error_mismatch(api.get(path + "?cursor=AAAA", ann.token), 400,
                                 "validation_failed", "cursor"),
                  "");
}

CAF_TEST(the message lists need a token) {
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversations_path, {}), 401, "unauthorized"), "");
  CAF_CHECK_EQUAL(
      error_mismatch(api.get(conversation_path(1), {}), 401, "unauthorized"),
      "");
}

CAF_TEST_FIXTURE_SCOPE_END()
