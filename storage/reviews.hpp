// Reviews of classes and their rating aggregates: calls and rows. The SQL
// lives in reviews_ops.cpp (reviews, the rating read) and rating_job_ops.cpp
// (the aggregation job).
#pragma once

#include <array>
#include <optional>
#include <string>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct review_row {
  int64_t id = 0;
  int64_t class_id = 0;
  int64_t user_id = 0;
  int64_t rating = 0; // 1..5
  std::string text;   // "" when none was given
  unix_seconds created_at = 0;
};

/// A class's rating as the aggregation job last computed it. Before its
/// first run for the class: no average, count 0, zeros, no computed_at.
struct rating_row {
  int64_t class_id = 0;
  std::optional<double> average;
  int64_t count = 0;
  std::array<int64_t, 5> histogram{}; // [0] counts rating 1, ... [4] rating 5
  std::optional<unix_seconds> computed_at;
};

/// One review per user and class: already_reviewed, not_found (no such
/// class or user). Returns the review row.
db_call reviews_create(int64_t class_id, int64_t user_id, int64_t rating,
                       const std::string& text);
/// A class's reviews newest first, by (created_at, id) descending; fetches
/// limit + 1. No row at all when the class does not exist; one row without
/// a review (id NULL) when it exists but the page is empty.
db_call reviews_list(int64_t class_id, const std::optional<page_key>& after,
                     int limit);
/// The class's rating; no row when the class does not exist.
db_call ratings_get(int64_t class_id);
/// One chunk of the rating aggregation job (storage/jobs.hpp's answer).
db_call jobs_ratings(int64_t batch_size);

std::vector<review_row> decode_reviews(const row_set& rows);
/// The page, or nothing when the class does not exist (reviews.list).
std::optional<page<review_row>> decode_review_page(const row_set& rows,
                                                   int limit);
/// The rating, or nothing when the class does not exist.
std::optional<rating_row> decode_rating(const row_set& rows);

} // namespace numina::storage
