// /api/v1/users/me, /users/{id}, /users/{id}/followers and /following.
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/users.hpp"

namespace numina::http {

namespace {

// Answers with the first user of `rows` rendered by `render`, or 404.
template <class Render>
void answer_user(const exchange_ptr& ex, const outcome<storage::row_set>& rows,
                 const field_selection& sel, unsigned status,
                 std::string_view cache_control, Render render) {
  if (!rows) {
    ex->fail(rows.error());
    return;
  }
  auto users = storage::decode_users(rows.value());
  if (users.empty()) {
    ex->fail(failure::of(error_code::not_found, "No such user."));
    return;
  }
  json_writer w;
  render(w, users.front(), sel);
  ex->respond(json_with(std::move(w).str(), status, cache_control));
}

void get_me(const exchange_ptr& ex) {
  auto sel = field_selection::parse(ex->req, own_user_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  ex->svc.gate.query(
      storage::users_get(ex->user_id),
      ex->on_executor([ex, sel = sel.value()](outcome<storage::row_set> rows) {
        answer_user(ex, rows, sel, 200, cache_policy::other_get,
                    render_own_user);
      }));
}

void patch_me(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"name", "bio"}};
  auto name = r.text("name", 1, 100, false);
  std::optional<std::string> bio;
  if (r.is_null("bio"))
    bio = std::string{}; // null clears the bio
  else
    bio = r.text("bio", 0, 1000, false);
  if (failed(ex, r))
    return;
  ex->svc.gate.query(
      storage::users_patch(ex->user_id, name, bio),
      ex->on_executor([ex](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto users = storage::decode_users(rows.value());
        if (users.empty()) {
          ex->fail(failure::of(error_code::not_found, "No such user."));
          return;
        }
        json_writer w;
        render_own_user(w, users.front());
        invalidate_then_respond(
            ex, {}, {cache_keys::profile_prefix(ex->user_id)},
            json_with(std::move(w).str(), 200, cache_policy::never));
      }));
}

void get_profile(const exchange_ptr& ex) {
  auto sel = field_selection::parse(ex->req, profile_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const auto id = ex->id("id");
  answer_cached(ex, cache_keys::profile(id, fields_variant(ex->req)),
                cache_policy::profile, [&] {
                  actors::cache_read read;
                  read.ttl = ex->svc.settings.cache.ttl_users;
                  read.load = storage::users_profile(id);
                  read.render = [sel =
                                     sel.value()](const storage::row_set& rows)
                      -> outcome<actors::rendered> {
                    auto users = storage::decode_users(rows);
                    if (users.empty())
                      return actors::rendered{
                          404,
                          error_response(failure::of(error_code::not_found,
                                                     "No such user."))
                              .body,
                          0};
                    json_writer w;
                    render_profile(w, users.front(), sel);
                    return actors::rendered{200, std::move(w).str(),
                                            users.front().updated_at};
                  };
                  return read;
                });
}

using list_call = storage::db_call (*)(int64_t,
                                       const std::optional<storage::page_key>&,
                                       int);

// An empty first page may mean there is no such user: ask, and answer 404.
void answer_follow_list(const exchange_ptr& ex,
                        storage::page<storage::user_ref> page,
                        const field_selection& sel, bool first_page) {
  auto body = render_page(
      page, [&](json_writer& w, auto& ref) { render_user_ref(w, ref, sel); });
  if (!page.items.empty() || !first_page) {
    ex->respond(json_with(std::move(body), 200, cache_policy::other_get));
    return;
  }
  ex->svc.gate.query(
      storage::users_get(ex->id("id")),
      ex->on_executor([ex, body](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        if (storage::decode_users(rows.value()).empty()) {
          ex->fail(failure::of(error_code::not_found, "No such user."));
          return;
        }
        ex->respond(json_with(body, 200, cache_policy::other_get));
      }));
}

void follow_list(const exchange_ptr& ex, list_call call) {
  auto params = parse_list_params(ex->req, 25);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, user_ref_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  const bool first_page = !params.value().after;
  ex->svc.gate.query(
      call(ex->id("id"), params.value().after, limit),
      ex->on_executor([ex, limit, first_page,
                       sel = sel.value()](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        answer_follow_list(ex, storage::decode_user_refs(rows.value(), limit),
                           sel, first_page);
      }));
}

void followers(const exchange_ptr& ex) {
  follow_list(ex, storage::users_followers);
}

void following(const exchange_ptr& ex) {
  follow_list(ex, storage::users_following);
}

} // namespace

void add_user_routes(router& r) {
  r.add("GET", "/api/v1/users/me", auth_kind::user, get_me);
  r.add("PATCH", "/api/v1/users/me", auth_kind::user, patch_me);
  r.add("GET", "/api/v1/users/{id}", auth_kind::user, get_profile);
  r.add("GET", "/api/v1/users/{id}/followers", auth_kind::user, followers);
  r.add("GET", "/api/v1/users/{id}/following", auth_kind::user, following);
}

} // namespace numina::http
