// HTTP caching on 200 GETs (api.md sections 1 and 5): a strong ETag per
// representation, Last-Modified, 304 for If-None-Match / If-Modified-Since,
// gzip for clients that accept it when the body is over 1024 bytes, and
// `Vary: Accept-Encoding` on every compressible answer.
#pragma once

#include <string_view>

#include "actors/cache_entry.hpp"
#include "http/message.hpp"

namespace numina::http {

/// Whether Accept-Encoding allows gzip (`gzip;q=0` does not).
bool accepts_gzip(std::string_view accept_encoding);

/// Answers from a cached entry: the representation the client accepts, or
/// 304 when its validators match; `stale` adds the contract's Warning.
response from_entry(const request& req, const actors::cached_entry& e,
                    bool stale, std::string_view cache_control);

/// Adds ETag, gzip, Vary and Last-Modified (from r.last_modified) to an
/// uncached 200 answer to a GET, and turns it into a 304 when the client's
/// validators match.
void finish_get(const request& req, response& r);

} // namespace numina::http
