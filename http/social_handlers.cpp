// /api/v1/social: follow and unfollow, post an activity, read the feed
// (api.md section 3, Social). The feed is read from feed_items, which the
// feed job fills (storage/feed_job_ops.cpp); writes here only record.
#include "core/time.hpp"
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/social.hpp"

namespace numina::http {

namespace {

// What `fields=` accepts on feed items (an activity plus its author).
const field_names feed_item_fields = {"id",   "user_id",    "kind",
                                      "text", "created_at", "user"};

// An activity object; `with_user` adds the feed's `user:{id,name}`.
void render_activity(json_writer& w, const storage::activity_row& a,
                     bool with_user, const field_selection& sel = {}) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", a.id);
  if (sel.wants("user_id"))
    w.field("user_id", a.user_id);
  if (sel.wants("kind"))
    w.field("kind", a.kind);
  if (sel.wants("text"))
    w.field("text", a.text);
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(a.created_at));
  if (with_user && sel.wants("user"))
    w.key("user")
        .begin_object()
        .field("id", a.user_id)
        .field("name", a.user_name)
        .end_object();
  w.end_object();
}

using follow_call = storage::db_call (*)(int64_t, int64_t);

// Follow and unfollow: 204 either way (both are idempotent), once both
// profiles' cached copies are gone, since their counts changed. A body, if
// sent, must be JSON (the pipeline checks its type) but is ignored.
void change_follow(const exchange_ptr& ex, follow_call call) {
  const int64_t other = ex->id("user_id");
  if (other == ex->user_id) {
    // The path id, so the field is `id` like every path id's.
    ex->fail(failure::invalid("id", "You cannot follow or unfollow yourself."));
    return;
  }
  ex->svc.gate.query(
      call(ex->user_id, other),
      ex->on_executor([ex, other](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        invalidate_then_respond(ex, {},
                                {cache_keys::profile_prefix(ex->user_id),
                                 cache_keys::profile_prefix(other)},
                                no_content());
      }));
}

void follow(const exchange_ptr& ex) {
  change_follow(ex, storage::social_follow);
}

void unfollow(const exchange_ptr& ex) {
  change_follow(ex, storage::social_unfollow);
}

void post_activity(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"kind", "text"}};
  // Any length here: a kind is judged by the list alone.
  auto kind = r.text("kind", 0, std::string::npos, true);
  if (failed(ex, r))
    return;
  if (!storage::is_activity_kind(*kind)) {
    ex->fail(failure::invalid(
        "kind", "kind must be one of \"workout\", \"post\", \"achievement\""));
    return;
  }
  auto text = r.text("text", 1, 2000, true);
  if (failed(ex, r))
    return;
  ex->svc.gate.query(
      storage::social_post_activity(ex->user_id, *kind, *text),
      ex->on_executor([ex](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto activities = storage::decode_activities(rows.value());
        if (activities.empty()) {
          ex->fail(failure::of(error_code::internal));
          return;
        }
        json_writer w;
        render_activity(w, activities.front(), false);
        // Nothing cached changes: the feeds change at the feed job's run,
        // which invalidates them itself.
        ex->respond(json_with(std::move(w).str(), 201, cache_policy::never));
      }));
}

void feed(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, feed_item_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  answer_cached(
      ex, cache_keys::feed(ex->user_id, ex->req.query), cache_policy::feed,
      [&] {
        actors::cache_read read;
        read.ttl = ex->svc.settings.cache.ttl_feed;
        read.load =
            storage::social_feed(ex->user_id, params.value().after, limit);
        read.render =
            [limit, sel = sel.value()](
                const storage::row_set& rows) -> outcome<actors::rendered> {
          auto page = storage::decode_feed_page(rows, limit);
          // No Last-Modified: an unfollow removes items without a newer time.
          return actors::rendered{200,
                                  render_page(page,
                                              [&](json_writer& w, auto& a) {
                                                render_activity(w, a, true,
                                                                sel);
                                              }),
                                  0};
        };
        return read;
      });
}

} // namespace

void add_social_routes(router& r) {
  r.add("POST", "/api/v1/social/follow/{user_id}", auth_kind::user, follow);
  r.add("DELETE", "/api/v1/social/follow/{user_id}", auth_kind::user, unfollow);
  r.add("POST", "/api/v1/social/activity", auth_kind::user, post_activity);
  r.add("GET", "/api/v1/social/feed", auth_kind::user, feed);
}

} // namespace numina::http
