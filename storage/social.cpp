// Calls and decoders of social.hpp: parameter order here is the order the
// operations in social_ops.cpp and feed_job_ops.cpp read.
#include "storage/social.hpp"

#include <algorithm>

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

bool is_activity_kind(std::string_view kind) {
  return std::find(activity_kinds.begin(), activity_kinds.end(), kind) !=
         activity_kinds.end();
}

db_call social_follow(int64_t follower, int64_t following) {
  return {"social.follow", {cell::of(follower), cell::of(following)}};
}

db_call social_unfollow(int64_t follower, int64_t following) {
  return {"social.unfollow", {cell::of(follower), cell::of(following)}};
}

db_call social_post_activity(int64_t user_id, const std::string& kind,
                             const std::string& text) {
  return {"social.post_activity",
          {cell::of(user_id), cell::of(kind), cell::of(text)}};
}

db_call social_feed(int64_t owner, const std::optional<page_key>& after,
                    int limit) {
  return {"social.feed",
          {cell::of(owner), after ? cell::of(after->at) : cell::none(),
           after ? cell::of(after->id) : cell::none(),
           cell::of(int64_t{limit})}};
}

db_call feed_job_chunk(int64_t batch_size) {
  return {"jobs.feed", {cell::of(batch_size)}};
}

std::vector<activity_row> decode_activities(const row_set& rows) {
  std::vector<activity_row> out;
  if (rows.empty())
    return out;
  const size_t id = column(rows, "id");
  const size_t user_id = column(rows, "user_id");
  const size_t kind = column(rows, "kind");
  const size_t text = column(rows, "text");
  const size_t created_at = column(rows, "created_at");
  // Only the feed names each item's author.
  const auto user_name = find_column(rows, "user_name");
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) {
    activity_row a;
    a.id = as_i64(r[id]);
    a.user_id = as_i64(r[user_id]);
    a.kind = r[kind].text;
    a.text = r[text].text;
    a.created_at = as_time(r[created_at]);
    if (user_name)
      a.user_name = r[*user_name].text;
    out.push_back(std::move(a));
  }
  return out;
}

page<activity_row> decode_feed_page(const row_set& rows, int limit) {
  return split_page(decode_activities(rows), limit, [](const activity_row& a) {
    return page_key{a.created_at, a.id};
  });
}

bool decode_follow_changed(const row_set& rows) {
  return !rows.empty() && as_bool(rows.rows.front()[column(rows, "changed")]);
}

} // namespace numina::storage
