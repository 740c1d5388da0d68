// Internal to storage/: the statements of the social operations and the
// feed job, named here so that tests/storage/social_test.cpp can EXPLAIN
// exactly what runs (docs/queries.md shows the plans).
#pragma once

#include "storage/operation.hpp"

namespace numina::storage {

/// social.feed: feed_items_owner_created_at_idx, read backwards.
/// $1 owner id, $2 before time, $3 before id, $4 limit.
extern const statement feed_page_list;
/// jobs.feed, step 1: fans out at most $1 pending activities.
extern const statement feed_fan_out;
/// jobs.feed, step 2: settles at most $1 changed follow pairs.
extern const statement feed_settle_follows;

} // namespace numina::storage
