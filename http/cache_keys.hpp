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

inline std::string cls(int64_t id, std::string_view variant) {
  return "class:" + std::to_string(id) + "|" + std::string{variant};
}
inline std::string cls_prefix(int64_t id) {
  return "class:" + std::to_string(id) + "|";
}

inline constexpr std::string_view class_lists = "classes:list";
inline std::string class_list(std::string_view query) {
  return std::string{class_lists} + "|" + std::string{query};
}

inline std::string profile(int64_t id, std::string_view variant) {
  return "user:" + std::to_string(id) + "|" + std::string{variant};
}
inline std::string profile_prefix(int64_t id) {
  return "user:" + std::to_string(id) + "|";
}

inline std::string session(std::string_view token_hash) {
  return "session:" + std::string{token_hash} + "|";
}

} // namespace numina::http::cache_keys
