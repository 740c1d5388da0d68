// Internal to storage/: the statements of the reviews feature whose plans
// tests/storage/reviews_test.cpp checks (EXPLAIN of exactly what runs).
// Each is defined beside its operation.
#pragma once

#include "storage/operation.hpp"

namespace numina::storage {

/// reviews.list: the class by its primary key, then its reviews from
/// reviews_class_created_at_idx read backwards.
/// $1 class id, $2 after time, $3 after id, $4 limit.
extern const statement reviews_list_page;
/// jobs.ratings: the next chunk of reviews by inserting transaction
/// (reviews_xact_idx, migration 0004). $1 watermark, $2 horizon, $3 size.
extern const statement rating_job_chunk;
/// jobs.ratings: recomputes the aggregates of the classes reviewed in
/// (watermark, last]. $1 watermark, $2 last xact of the chunk.
extern const statement rating_job_aggregate;

} // namespace numina::storage
