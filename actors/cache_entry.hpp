// A cached answer: the rendered bytes of one representation, its strong
// ETag, and the gzip variant once a client asked for it. Immutable once
// published, and shared by pointer with the connections that send it, so a
// hot read copies and computes nothing. No CAF here: http/ reads it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/failure.hpp"
#include "core/time.hpp"
#include "storage/db_call.hpp"

namespace numina::actors {

struct cached_entry {
  unsigned status = 200; // 200, or a 404 cached briefly
  std::shared_ptr<const std::string> body;
  std::string etag;                        // quoted, strong
  std::shared_ptr<const std::string> gzip; // null until asked for
  std::string gzip_etag;
  unix_seconds last_modified = 0; // 0: the resource has no update time
  std::string last_modified_text; // its IMF-fixdate, formatted once

  size_t bytes() const noexcept;
};

using entry_ptr = std::shared_ptr<const cached_entry>;

/// What a loader renders from its rows.
struct rendered {
  unsigned status = 200;
  std::string body;
  unix_seconds last_modified = 0;
};

/// Builds an entry: computes the ETag.
entry_ptr make_entry(rendered r);

/// The same entry with its gzip variant added (the body is shared).
entry_ptr with_gzip(const cached_entry& e);

/// Bodies above this size are sent gzip-encoded to clients that accept it
/// (api.md section 1).
inline constexpr size_t gzip_threshold = 1024;

/// A read-through request from the edge: the key, how long a loaded answer
/// stays fresh, how to load and render it on a miss, and where to answer.
struct cache_read {
  std::string key; // "class:7|fields=id,title": shard and prefix by "class:7"
  std::chrono::milliseconds ttl{0};
  storage::db_call load;
  std::function<outcome<rendered>(const storage::row_set&)> render;
  bool want_gzip = false;
};

struct cache_answer {
  entry_ptr entry;    // null on failure
  bool stale = false; // served past its TTL because the load failed
  failure error;
};

using cache_done = std::function<void(cache_answer)>;

/// The part of a key that picks its shard: everything before '|'. All
/// variants of one resource live in one shard, so a prefix that names the
/// resource reaches them in one place.
std::string_view routing_part(std::string_view key);

} // namespace numina::actors
