// /api/v1/matches (api.md section 3, Matches): training partners, read
// through the cache shards (`matches:<user id>|<query>`, TTL
// cache.ttl_matches). The caller's own booking or cancellation drops the
// caller's entries (booking_handlers.cpp); another user's booking does not
// touch the caller's entries, which may then lag by up to the TTL, as
// `Cache-Control: private, max-age=3600` already allows a client.
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/matches.hpp"

namespace numina::http {

namespace {

const field_names match_fields = {"user", "score", "shared_classes"};

// score and shared_classes are the same number (api.md section 5).
void render_match(json_writer& w, const storage::match_row& m,
                  const field_selection& sel) {
  w.begin_object();
  if (sel.wants("user"))
    w.key("user")
        .begin_object()
        .field("id", m.user_id)
        .field("name", m.name)
        .end_object();
  if (sel.wants("score"))
    w.field("score", m.shared_classes);
  if (sel.wants("shared_classes"))
    w.field("shared_classes", m.shared_classes);
  w.end_object();
}

void list_matches(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, match_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  answer_cached(
      ex, cache_keys::matches(ex->user_id, ex->req.query),
      cache_policy::matches, [&] {
        actors::cache_read read;
        read.ttl = ex->svc.settings.cache.ttl_matches;
        read.load =
            storage::matches_of(ex->user_id, params.value().after, limit);
        read.render =
            [limit, sel = sel.value()](
                const storage::row_set& rows) -> outcome<actors::rendered> {
          auto page = storage::decode_match_page(rows, limit);
          return actors::rendered{
              200,
              render_page(page, [&](json_writer& w,
                                    auto& m) { render_match(w, m, sel); }),
              0};
        };
        return read;
      });
}

} // namespace

void add_match_routes(router& r) {
  r.add("GET", "/api/v1/matches", auth_kind::user, list_matches);
}

} // namespace numina::http
