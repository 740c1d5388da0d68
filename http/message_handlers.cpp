// /api/v1/messages (api.md section 3, Messages): send a message, list one's
// conversations, read one conversation. Nothing here is cached: every read
// is `private, no-cache` and goes to PostgreSQL.
#include <limits>

#include "core/time.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/messages.hpp"

namespace numina::http {

namespace {

// What `fields=` accepts for each list's items.
const field_names message_fields = {
    "id", "conversation_id", "from_user_id", "to_user_id", "text", "sent_at"};
const field_names conversation_fields = {"id", "other_user", "last_message"};

void render_message(json_writer& w, const storage::message_row& m,
                    const field_selection& sel = {}) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", m.id);
  if (sel.wants("conversation_id"))
    w.field("conversation_id", m.conversation_id);
  if (sel.wants("from_user_id"))
    w.field("from_user_id", m.from_user_id);
  if (sel.wants("to_user_id"))
    w.field("to_user_id", m.to_user_id);
  if (sel.wants("text"))
    w.field("text", m.text);
  if (sel.wants("sent_at"))
    w.field("sent_at", format_rfc3339(m.sent_at));
  w.end_object();
}

// Nested objects are selected whole (docs/api.md, field selection).
void render_conversation(json_writer& w, const storage::conversation_row& c,
                         const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", c.id);
  if (sel.wants("other_user"))
    w.key("other_user")
        .begin_object()
        .field("id", c.other_user_id)
        .field("name", c.other_user_name)
        .end_object();
  if (sel.wants("last_message")) {
    w.key("last_message");
    if (c.last_message)
      render_message(w, *c.last_message);
    else
      w.null();
  }
  w.end_object();
}

void send_message(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"to_user_id", "text"}};
  auto to =
      r.integer("to_user_id", 1, std::numeric_limits<int64_t>::max(), true);
  auto text = r.text("text", 1, 4000, true);
  if (failed(ex, r))
    return;
  if (*to == ex->user_id) {
    ex->fail(failure::invalid("to_user_id", "You cannot message yourself."));
    return;
  }
  ex->svc.gate.query(
      storage::messages_send(ex->user_id, *to, *text),
      ex->on_executor([ex](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto messages = storage::decode_messages(rows.value());
        if (messages.empty()) {
          ex->fail(failure::of(error_code::internal));
          return;
        }
        json_writer w;
        render_message(w, messages.front());
        ex->respond(json_with(std::move(w).str(), 201, cache_policy::never));
      }));
}

void list_conversations(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, conversation_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  ex->svc.gate.query(
      storage::messages_conversations(ex->user_id, params.value().after, limit),
      ex->on_executor(
          [ex, limit, sel = sel.value()](outcome<storage::row_set> rows) {
            if (!rows) {
              ex->fail(rows.error());
              return;
            }
            auto page = storage::decode_conversation_page(rows.value(), limit);
            ex->respond(json_with(render_page(page,
                                              [&](json_writer& w, auto& c) {
                                                render_conversation(w, c, sel);
                                              }),
                                  200, cache_policy::other_get));
          }));
}

void conversation_messages(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, message_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  ex->svc.gate.query(
      storage::messages_of_conversation(ex->id("id"), ex->user_id,
                                        params.value().after, limit),
      ex->on_executor(
          [ex, limit, sel = sel.value()](outcome<storage::row_set> rows) {
            if (!rows) {
              ex->fail(rows.error());
              return;
            }
            auto page = storage::decode_message_page(rows.value(), limit);
            ex->respond(json_with(
                render_page(page, [&](json_writer& w,
                                      auto& m) { render_message(w, m, sel); }),
                200, cache_policy::other_get));
          }));
}

} // namespace

void add_message_routes(router& r) {
  r.add("POST", "/api/v1/messages/send", auth_kind::user, send_message);
  r.add("GET", "/api/v1/messages/conversations", auth_kind::user,
        list_conversations);
  r.add("GET", "/api/v1/messages/conversations/{id}", auth_kind::user,
        conversation_messages);
}

} // namespace numina::http
