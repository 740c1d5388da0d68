// Notifications (api.md section 3): the caller's, newest first, and
// marking some read. Written in batches by the notification job
// (storage/notification_job_ops.cpp); private and changing with every
// mark, so never cached (`private, no-cache`).
#include "core/time.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/notifications.hpp"

namespace numina::http {

namespace {

const field_names notification_fields = {"id", "kind", "payload", "created_at",
                                         "read"};

/// The most ids one mark-read request may carry.
constexpr size_t max_read_ids = 100;

void render_notification(json_writer& w, const storage::notification_row& n,
                         const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", n.id);
  if (sel.wants("kind"))
    w.field("kind", n.kind);
  if (sel.wants("payload")) // a JSON object PostgreSQL wrote (jsonb)
    w.key("payload").raw(n.payload);
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(n.created_at));
  if (sel.wants("read"))
    w.field("read", n.read);
  w.end_object();
}

void list_notifications(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, notification_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  ex->svc.gate.query(
      storage::notifications_list(ex->user_id, params.value().after, limit),
      ex->on_executor(
          [ex, limit, sel = sel.value()](outcome<storage::row_set> rows) {
            if (!rows) {
              ex->fail(rows.error());
              return;
            }
            auto page = storage::decode_notification_page(rows.value(), limit);
            ex->respond(json_with(render_page(page,
                                              [&](json_writer& w, auto& n) {
                                                render_notification(w, n, sel);
                                              }),
                                  200, cache_policy::other_get));
          }));
}

void mark_read(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"ids"}};
  auto ids = r.ids("ids", max_read_ids, true);
  if (failed(ex, r))
    return;
  if (ids->empty()) {
    ex->respond(no_content());
    return;
  }
  // Ids that are not the caller's (or do not exist) are left alone and
  // not reported: answering differently would tell whose they are.
  ex->svc.gate.query(storage::notifications_mark_read(ex->user_id, *ids),
                     ex->on_executor([ex](outcome<storage::row_set> rows) {
                       if (!rows) {
                         ex->fail(rows.error());
                         return;
                       }
                       ex->respond(no_content());
                     }));
}

} // namespace

void add_notification_routes(router& r) {
  r.add("GET", "/api/v1/notifications", auth_kind::user, list_notifications);
  r.add("POST", "/api/v1/notifications/read", auth_kind::user, mark_read);
}

} // namespace numina::http
