// Reviews and ratings (api.md section 3): review a class, list a class's
// reviews, read its rating. Reviews and ratings are read through the cache
// (`public, max-age=3600`); a review removes its class's cached review
// pages before it is answered. Ratings change only when the rating job runs
// (storage/rating_job_ops.cpp), which reports the prefixes to drop.
#include "core/time.hpp"
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/reviews.hpp"

namespace numina::http {

namespace {

const field_names review_fields = {"id",     "class_id", "user_id",
                                   "rating", "text",     "created_at"};
const field_names rating_fields = {"class_id", "average", "count", "histogram",
                                   "computed_at"};

void render_review(json_writer& w, const storage::review_row& v,
                   const field_selection& sel = {}) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", v.id);
  if (sel.wants("class_id"))
    w.field("class_id", v.class_id);
  if (sel.wants("user_id"))
    w.field("user_id", v.user_id);
  if (sel.wants("rating"))
    w.field("rating", v.rating);
  if (sel.wants("text"))
    w.field("text", v.text);
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(v.created_at));
  w.end_object();
}

void render_rating(json_writer& w, const storage::rating_row& r,
                   const field_selection& sel) {
  w.begin_object();
  if (sel.wants("class_id"))
    w.field("class_id", r.class_id);
  if (sel.wants("average")) {
    w.key("average");
    if (r.average)
      w.value(*r.average);
    else
      w.null();
  }
  if (sel.wants("count"))
    w.field("count", r.count);
  if (sel.wants("histogram")) {
    w.key("histogram").begin_object();
    for (size_t i = 0; i < r.histogram.size(); ++i)
      w.field(std::to_string(i + 1), r.histogram[i]);
    w.end_object();
  }
  if (sel.wants("computed_at")) {
    w.key("computed_at");
    if (r.computed_at)
      w.value(format_rfc3339(*r.computed_at));
    else
      w.null();
  }
  w.end_object();
}

actors::rendered no_such_class() {
  return actors::rendered{
      404,
      error_response(failure::of(error_code::not_found, "No such class.")).body,
      0};
}

void create_review(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"rating", "text"}};
  auto rating = r.integer("rating", 1, 5, true);
  // `text` may be left out or null: no text ("").
  std::optional<std::string> text;
  if (!r.is_null("text"))
    text = r.text("text", 0, 2000, false);
  if (failed(ex, r))
    return;
  const int64_t class_id = ex->id("id");
  ex->svc.gate.query(
      storage::reviews_create(class_id, ex->user_id, *rating,
                              text.value_or("")),
      ex->on_executor([ex, class_id](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto reviews = storage::decode_reviews(rows.value());
        if (reviews.empty()) {
          ex->fail(failure::of(error_code::internal));
          return;
        }
        json_writer w;
        render_review(w, reviews.front());
        // The class's cached review pages no longer hold the newest
        // review; its rating waits for the job (the contract allows that).
        invalidate_then_respond(
            ex, {}, {cache_keys::reviews_prefix(class_id)},
            json_with(std::move(w).str(), 201, cache_policy::never));
      }));
}

void list_reviews(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 10);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, review_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int64_t class_id = ex->id("id");
  const int limit = params.value().limit;
  answer_cached(
      ex, cache_keys::reviews(class_id, ex->req.query), cache_policy::reviews,
      [&] {
        actors::cache_read read;
        read.ttl = ex->svc.settings.cache.ttl_reviews;
        read.load =
            storage::reviews_list(class_id, params.value().after, limit);
        read.render =
            [limit, sel = sel.value()](
                const storage::row_set& rows) -> outcome<actors::rendered> {
          auto page = storage::decode_review_page(rows, limit);
          if (!page)
            return no_such_class();
          return actors::rendered{
              200,
              render_page(*page, [&](json_writer& w,
                                     auto& v) { render_review(w, v, sel); }),
              0};
        };
        return read;
      });
}

void get_rating(const exchange_ptr& ex) {
  auto sel = field_selection::parse(ex->req, rating_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int64_t class_id = ex->id("id");
  answer_cached(ex, cache_keys::rating(class_id, fields_variant(ex->req)),
                cache_policy::reviews, [&] {
                  actors::cache_read read;
                  read.ttl = ex->svc.settings.cache.ttl_reviews;
                  read.load = storage::ratings_get(class_id);
                  read.render = [sel =
                                     sel.value()](const storage::row_set& rows)
                      -> outcome<actors::rendered> {
                    auto rating = storage::decode_rating(rows);
                    if (!rating)
                      return no_such_class();
                    json_writer w;
                    render_rating(w, *rating, sel);
                    // The rating changes only when it is computed: that is its
                    // Last-Modified (none before the first aggregation).
                    return actors::rendered{200, std::move(w).str(),
                                            rating->computed_at.value_or(0)};
                  };
                  return read;
                });
}

} // namespace

void add_review_routes(router& r) {
  r.add("POST", "/api/v1/classes/{id}/reviews", auth_kind::user, create_review);
  r.add("GET", "/api/v1/classes/{id}/reviews", auth_kind::user, list_reviews);
  r.add("GET", "/api/v1/classes/{id}/rating", auth_kind::user, get_rating);
}

} // namespace numina::http
