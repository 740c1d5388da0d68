// What most handlers share: reading a JSON body, answering with JSON and the
// contract's Cache-Control, turning storage outcomes into answers.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "actors/cache_entry.hpp"

#include "http/exchange.hpp"
#include "http/json_body.hpp"

namespace numina::http {

/// Cache-Control values of api.md sections 1 and 5.
namespace cache_policy {
inline constexpr std::string_view classes = "public, max-age=900";
inline constexpr std::string_view profile = "private, max-age=1800";
inline constexpr std::string_view reviews = "public, max-age=3600";
inline constexpr std::string_view matches = "private, max-age=3600";
inline constexpr std::string_view feed = "private, max-age=300";
inline constexpr std::string_view other_get = "private, no-cache";
inline constexpr std::string_view never = "no-store";
} // namespace cache_policy

/// A JSON answer with the given status and Cache-Control.
response json_with(std::string body, unsigned status,
                   std::string_view cache_control);

/// 204 No Content.
response no_content();

/// Parses the request body as a JSON object; on failure answers 400 and
/// returns nothing.
std::optional<json_value> read_body(const exchange_ptr& ex);

/// Answers a body_reader's first failure, if any; true when it answered.
bool failed(const exchange_ptr& ex, const body_reader& r);

/// Answers a GET from a fresh cache entry for `key`, on this thread, if
/// there is one that can be sent as it is; false when the shard has to act.
bool answer_fresh(const exchange_ptr& ex, const std::string& key,
                  bool want_gzip, std::string_view cache_control);

/// Answers a GET through the cache shard: `read` says what to load and how
/// to render it on a miss.
void answer_loaded(const exchange_ptr& ex, actors::cache_read read,
                   std::string_view cache_control);

/// Whether the request's Accept-Encoding takes gzip.
bool wants_gzip(const exchange& ex);

/// Answers a GET from the cache. `make_read()` returns what to load and
/// render on a miss (ttl, load, render); it runs only then, so a hot hit
/// builds no query and no renderer.
template <class MakeRead>
void answer_cached(const exchange_ptr& ex, std::string key,
                   std::string_view cache_control, MakeRead make_read) {
  const bool gzip = wants_gzip(*ex);
  if (answer_fresh(ex, key, gzip, cache_control))
    return;
  actors::cache_read read = make_read();
  read.key = std::move(key);
  read.want_gzip = gzip;
  answer_loaded(ex, std::move(read), cache_control);
}

/// Removes the cached entries a write changed, then sends `r`: the very
/// next read sees the change.
void invalidate_then_respond(const exchange_ptr& ex,
                             std::vector<std::string> keys,
                             std::vector<std::string> prefixes, response r);

/// The `fields` query value as a cache variant ("" when absent): the names
/// sorted and without repeats, since a selection renders fields in the
/// resource's own order (`fields=title,id` and `id,title` are one entry).
std::string fields_variant(const request& req);

} // namespace numina::http
