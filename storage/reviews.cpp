// Calls and decoders of reviews.hpp: parameter order here is the order the
// operations in reviews_ops.cpp and rating_job_ops.cpp read.
#include "storage/reviews.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

db_call reviews_create(int64_t class_id, int64_t user_id, int64_t rating,
                       const std::string& text) {
  return {"reviews.create",
          {cell::of(class_id), cell::of(user_id), cell::of(rating),
           cell::of(text)}};
}

db_call reviews_list(int64_t class_id, const std::optional<page_key>& after,
                     int limit) {
  return {"reviews.list",
          {cell::of(class_id), after ? cell::of(after->at) : cell::none(),
           after ? cell::of(after->id) : cell::none(),
           cell::of(int64_t{limit})}};
}

db_call ratings_get(int64_t class_id) {
  return {"ratings.get", {cell::of(class_id)}};
}

db_call jobs_ratings(int64_t batch_size) {
  return {"jobs.ratings", {cell::of(batch_size)}};
}

std::vector<review_row> decode_reviews(const row_set& rows) {
  std::vector<review_row> out;
  if (rows.empty())
    return out;
  const size_t id = column(rows, "id");
  const size_t class_id = column(rows, "class_id");
  const size_t user_id = column(rows, "user_id");
  const size_t rating = column(rows, "rating");
  const size_t text = column(rows, "text");
  const size_t created_at = column(rows, "created_at");
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) {
    // reviews.list answers an existing class without reviews with one row
    // whose review columns are NULL.
    if (r[id].null)
      continue;
    review_row v;
    v.id = as_i64(r[id]);
    v.class_id = as_i64(r[class_id]);
    v.user_id = as_i64(r[user_id]);
    v.rating = as_i64(r[rating]);
    v.text = r[text].text;
    v.created_at = as_time(r[created_at]);
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<page<review_row>> decode_review_page(const row_set& rows,
                                                   int limit) {
  if (rows.empty())
    return std::nullopt;
  return split_page(decode_reviews(rows), limit, [](const review_row& v) {
    return page_key{v.created_at, v.id};
  });
}

std::optional<rating_row> decode_rating(const row_set& rows) {
  if (rows.empty())
    return std::nullopt;
  const auto& r = rows.rows.front();
  rating_row out;
  out.class_id = as_i64(r.at(column(rows, "class_id")));
  const auto& average = r.at(column(rows, "average"));
  if (!average.null)
    out.average = as_double(average);
  out.count = as_i64(r.at(column(rows, "count")));
  static constexpr const char* buckets[] = {"h1", "h2", "h3", "h4", "h5"};
  for (size_t i = 0; i < out.histogram.size(); ++i)
    out.histogram[i] = as_i64(r.at(column(rows, buckets[i])));
  out.computed_at = as_opt_time(r.at(column(rows, "computed_at")));
  return out;
}

} // namespace numina::storage
