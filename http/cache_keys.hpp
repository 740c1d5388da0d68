// Every cache key in one place (docs/api.md lists the prefixes for
// `DELETE /admin/cache?prefix=`). A key is "<resource>|<variant>": the part
// before '|' picks the shard, so one prefix reaches every variant of a
// resource; the variant is the query that shaped the answer (fields, filters,
// paging).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace numina::http::cache_keys {

/// "<kind>:<id>|": every variant of one resource.
inline std::string prefix(std::string_view kind, int64_t id) {
  return std::string{kind} + ":" + std::to_string(id) + "|";
}

/// "<kind>:<id>|<variant>": one variant of one resource.
inline std::string key(std::string_view kind, int64_t id,
                       std::string_view variant) {
  return prefix(kind, id) + std::string{variant};
}

inline std::string cls(int64_t id, std::string_view variant) {
  return key("class", id, variant);
}
inline std::string cls_prefix(int64_t id) {
  return prefix("class", id);
}

inline constexpr std::string_view class_lists = "classes:list";
inline std::string class_list(std::string_view query) {
  return std::string{class_lists} + "|" + std::string{query};
}

inline std::string profile(int64_t id, std::string_view variant) {
  return key("user", id, variant);
}
inline std::string profile_prefix(int64_t id) {
  return prefix("user", id);
}

// One user's training partners; the variant is the whole query (fields,
// limit, cursor).
inline std::string matches(int64_t user_id, std::string_view query) {
  return key("matches", user_id, query);
}
inline std::string matches_prefix(int64_t user_id) {
  return prefix("matches", user_id);
}

// One user's feed; the variant is the whole query (fields, limit, cursor).
// The feed job (storage/feed_job_ops.cpp) reports feed_prefix() of every
// feed it changed, spelled there too: when you change one, change both.
inline std::string feed(int64_t user_id, std::string_view query) {
  return key("feed", user_id, query);
}
inline std::string feed_prefix(int64_t user_id) {
  return prefix("feed", user_id);
}

// One class's reviews; the variant is the whole query (fields, limit,
// cursor). A new review of the class removes the prefix.
inline std::string reviews(int64_t class_id, std::string_view query) {
  return key("reviews", class_id, query);
}
inline std::string reviews_prefix(int64_t class_id) {
  return prefix("reviews", class_id);
}

// One class's rating; the variant is `fields`. The rating job
// (storage/rating_job_ops.cpp) reports rating_prefix() and cls_prefix() of
// every class it re-aggregated, spelled there too: change both together.
inline std::string rating(int64_t class_id, std::string_view variant) {
  return key("rating", class_id, variant);
}
inline std::string rating_prefix(int64_t class_id) {
  return prefix("rating", class_id);
}

inline std::string session(std::string_view token_hash) {
  return "session:" + std::string{token_hash} + "|";
}

} // namespace numina::http::cache_keys
