// Follows, activities and the materialised feed (api.md section 3, Social):
// the calls the HTTP layer and the feed job make and the rows they return.
// The SQL lives in social_ops.cpp and feed_job_ops.cpp.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

/// The contract's activity kinds (activities.kind has the same CHECK).
inline constexpr std::array<std::string_view, 3> activity_kinds = {
    "workout", "post", "achievement"};

bool is_activity_kind(std::string_view kind);

struct activity_row {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind;
  std::string text;
  unix_seconds created_at = 0;
  std::string user_name; // filled by social.feed only (the item's user)
};

/// `follower` follows `following` (idempotent). not_found when `following`
/// does not exist; validation_failed (field `id`) for oneself. A new follow
/// moves both users' updated_at. Returns one row: `changed` (false when the
/// follow was already there).
db_call social_follow(int64_t follower, int64_t following);
/// Ends a follow (idempotent): as social_follow.
db_call social_unfollow(int64_t follower, int64_t following);
/// Stores an activity of `user_id`; returns its row. The feed job fans it
/// out at its next run.
db_call social_post_activity(int64_t user_id, const std::string& kind,
                             const std::string& text);
/// The materialised feed of `owner`: newest first by (created_at, id),
/// with each item's author name; fetches limit + 1 rows.
db_call social_feed(int64_t owner, const std::optional<page_key>& after,
                    int limit);
/// One chunk of the feed job (actors/job.hpp): at most `batch_size` pending
/// activities and changed follow pairs. One row: `touched` (feed rows
/// written or removed), `more` (more chunks pending), `stale` (the cache
/// prefix "feed:<owner>|" of every feed that changed, one per line).
db_call feed_job_chunk(int64_t batch_size);

// -- decoders (pure) ----------------------------------------------------------

std::vector<activity_row> decode_activities(const row_set& rows);
/// Splits limit + 1 feed rows into a page keyed by (created_at, id).
page<activity_row> decode_feed_page(const row_set& rows, int limit);
/// The `changed` column of a follow or unfollow.
bool decode_follow_changed(const row_set& rows);

} // namespace numina::storage
