// /api/v1/classes and /api/v1/classes/{id} (api.md section 3, Classes).
#include "core/time.hpp"
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/pipeline.hpp"
#include "http/query.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/classes.hpp"

namespace numina::http {

namespace {

// The bounds shared by create and PATCH. Fields absent from the body stay
// empty; `required` makes them mandatory (create).
struct class_fields_read {
  std::optional<std::string> title, description, location;
  std::optional<unix_seconds> starts_at;
  std::optional<int64_t> duration_min, capacity;
};

// Optional text that may also be given as null (meaning: empty).
std::optional<std::string> nullable_text(body_reader& r, std::string_view name,
                                         size_t max_len) {
  if (r.is_null(name))
    return std::string{};
  return r.text(name, 0, max_len, false);
}

std::optional<class_fields_read> read_class_fields(const exchange_ptr& ex,
                                                   const json_value& body,
                                                   bool required) {
  body_reader r{body,
                {"title", "description", "location", "starts_at",
                 "duration_min", "capacity"}};
  class_fields_read f;
  f.title = r.text("title", 1, 200, required);
  f.description = nullable_text(r, "description", 5000);
  f.location = nullable_text(r, "location", 200);
  auto starts_at = r.text("starts_at", 1, 64, required);
  f.duration_min = r.integer("duration_min", 1, 1440, required);
  f.capacity = r.integer("capacity", 1, 10000, required);
  if (failed(ex, r))
    return std::nullopt;
  if (starts_at) {
    f.starts_at = parse_rfc3339(*starts_at);
    if (!f.starts_at) {
      ex->fail(failure::invalid(
          "starts_at",
          "starts_at must be an RFC 3339 date-time with an offset"));
      return std::nullopt;
    }
    if (*f.starts_at < now_seconds()) {
      ex->fail(failure::invalid("starts_at", "starts_at is in the past"));
      return std::nullopt;
    }
  }
  return f;
}

// The rendered class (or a 404) for the cache and for write answers.
outcome<actors::rendered> render_class_rows(const storage::row_set& rows,
                                            const field_selection& sel) {
  auto classes = storage::decode_classes(rows);
  if (classes.empty())
    return actors::rendered{
        404,
        error_response(failure::of(error_code::not_found, "No such class."))
            .body,
        0};
  json_writer w;
  render_class(w, classes.front(), sel);
  return actors::rendered{200, std::move(w).str(), classes.front().updated_at};
}

// A write's answer: the class, after the cached copies are gone.
void answer_written_class(const exchange_ptr& ex,
                          const outcome<storage::row_set>& rows,
                          unsigned status) {
  if (!rows) {
    ex->fail(rows.error());
    return;
  }
  auto classes = storage::decode_classes(rows.value());
  if (classes.empty()) {
    ex->fail(failure::of(error_code::not_found, "No such class."));
    return;
  }
  json_writer w;
  render_class(w, classes.front());
  invalidate_then_respond(
      ex, {},
      {cache_keys::cls_prefix(classes.front().id),
       std::string{cache_keys::class_lists}},
      json_with(std::move(w).str(), status, cache_policy::never));
}

void create_class(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  auto f = read_class_fields(ex, *body, true);
  if (!f)
    return;
  storage::new_class c;
  c.provider_id = ex->user_id;
  c.title = std::move(*f->title);
  c.description = f->description.value_or("");
  c.location = f->location.value_or("");
  c.starts_at = *f->starts_at;
  c.duration_min = *f->duration_min;
  c.capacity = *f->capacity;
  ex->svc.gate.query(storage::classes_create(c),
                     ex->on_executor([ex](outcome<storage::row_set> rows) {
                       answer_written_class(ex, rows, 201);
                     }));
}

void get_class(const exchange_ptr& ex) {
  auto sel = field_selection::parse(ex->req, class_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const auto id = ex->id("id");
  answer_cached(ex, cache_keys::cls(id, fields_variant(ex->req)),
                cache_policy::classes, [&] {
                  actors::cache_read read;
                  read.ttl = ex->svc.settings.cache.ttl_classes;
                  read.load = storage::classes_get(id);
                  read.render =
                      [sel = sel.value()](const storage::row_set& rows) {
                        return render_class_rows(rows, sel);
                      };
                  return read;
                });
}

void patch_class(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  auto f = read_class_fields(ex, *body, false);
  if (!f)
    return;
  storage::class_changes c;
  c.title = f->title;
  c.description = f->description;
  c.location = f->location;
  c.starts_at = f->starts_at;
  c.duration_min = f->duration_min;
  c.capacity = f->capacity;
  ex->svc.gate.query(storage::classes_patch(ex->id("id"), ex->user_id, c),
                     ex->on_executor([ex](outcome<storage::row_set> rows) {
                       answer_written_class(ex, rows, 200);
                     }));
}

// `from`/`to` (RFC 3339) and `provider_id` (an id), each optional.
std::optional<storage::class_filter> read_filter(const exchange_ptr& ex) {
  storage::class_filter f;
  for (auto name : {"from", "to"}) {
    auto v = query_param(ex->req.query, name);
    if (!v) {
      ex->fail(v.error());
      return std::nullopt;
    }
    if (!v.value())
      continue;
    auto t = parse_rfc3339(*v.value());
    if (!t) {
      ex->fail(failure::invalid(name, std::string{name} +
                                          " must be an RFC 3339 date-time"));
      return std::nullopt;
    }
    (std::string_view{name} == "from" ? f.from : f.to) = *t;
  }
  auto provider = query_param(ex->req.query, "provider_id");
  if (!provider) {
    ex->fail(provider.error());
    return std::nullopt;
  }
  if (provider.value()) {
    f.provider_id = parse_id(*provider.value());
    if (!f.provider_id) {
      ex->fail(failure::invalid("provider_id",
                                "provider_id must be a positive integer"));
      return std::nullopt;
    }
  }
  return f;
}

void list_classes(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, class_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  auto filter = read_filter(ex);
  if (!filter)
    return;
  const int limit = params.value().limit;
  answer_cached(
      ex, cache_keys::class_list(ex->req.query), cache_policy::classes, [&] {
        actors::cache_read read;
        read.ttl = ex->svc.settings.cache.ttl_classes;
        read.load = storage::classes_list(*filter, params.value().after, limit);
        read.render =
            [limit, sel = sel.value()](
                const storage::row_set& rows) -> outcome<actors::rendered> {
          auto page = storage::decode_class_page(rows, limit);
          return actors::rendered{
              200,
              render_page(page, [&](json_writer& w,
                                    auto& c) { render_class(w, c, sel); }),
              0};
        };
        return read;
      });
}

} // namespace

void add_class_routes(router& r) {
  r.add("GET", "/api/v1/classes", auth_kind::user, list_classes);
  r.add("POST", "/api/v1/classes", auth_kind::user, create_class);
  r.add("GET", "/api/v1/classes/{id}", auth_kind::user, get_class);
  r.add("PATCH", "/api/v1/classes/{id}", auth_kind::user, patch_class);
}

} // namespace numina::http
