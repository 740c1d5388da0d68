#include "actors/cache_entry.hpp"

#include "core/digest.hpp"
#include "core/gzip.hpp"

namespace numina::actors {

size_t cached_entry::bytes() const noexcept {
  return sizeof(cached_entry) + (body ? body->size() : 0) +
         (gzip ? gzip->size() : 0) + etag.size() + gzip_etag.size();
}

entry_ptr make_entry(rendered r) {
  auto e = std::make_shared<cached_entry>();
  e->status = r.status;
  e->last_modified = r.last_modified;
  if (r.last_modified != 0)
    e->last_modified_text = format_http_date(r.last_modified);
  e->etag = "\"" + blake2b_hex(r.body, 16) + "\"";
  e->body = std::make_shared<const std::string>(std::move(r.body));
  return e;
}

entry_ptr with_gzip(const cached_entry& e) {
  auto copy = std::make_shared<cached_entry>(e);
  copy->gzip = std::make_shared<const std::string>(gzip(*e.body));
  // Strong validators differ per representation (RFC 9110 8.8.3).
  copy->gzip_etag = e.etag.substr(0, e.etag.size() - 1) + "-gzip\"";
  return copy;
}

std::string_view routing_part(std::string_view key) {
  return key.substr(0, key.find('|'));
}

} // namespace numina::actors
