#include "http/handler_support.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "http/conditional.hpp"
#include "http/query.hpp"

namespace numina::http {

response json_with(std::string body, unsigned status,
                   std::string_view cache_control) {
  response r;
  r.status = status;
  r.body = std::move(body);
  r.set("Cache-Control", std::string{cache_control});
  return r;
}

response no_content() {
  response r;
  r.status = 204;
  r.content_type.clear();
  r.set("Cache-Control", "no-store");
  return r;
}

std::optional<json_value> read_body(const exchange_ptr& ex) {
  auto parsed = parse_json_object(ex->req.body);
  if (!parsed) {
    ex->fail(parsed.error());
    return std::nullopt;
  }
  return std::move(parsed.value());
}

bool failed(const exchange_ptr& ex, const body_reader& r) {
  if (!r.error)
    return false;
  ex->fail(*r.error);
  return true;
}

bool wants_gzip(const exchange& ex) {
  return accepts_gzip(ex.req.header("accept-encoding"));
}

bool answer_fresh(const exchange_ptr& ex, const std::string& key,
                  bool want_gzip, std::string_view cache_control) {
  auto hit = ex->svc.gate.cached_fresh(key, want_gzip);
  if (!hit)
    return false;
  ex->respond(from_entry(ex->req, *hit, false, cache_control));
  return true;
}

void answer_loaded(const exchange_ptr& ex, actors::cache_read read,
                   std::string_view cache_control) {
  ex->svc.gate.cached(
      std::move(read),
      ex->on_executor([ex, cache_control](actors::cache_answer a) {
        if (!a.entry) {
          ex->fail(a.error);
          return;
        }
        ex->respond(from_entry(ex->req, *a.entry, a.stale, cache_control));
      }));
}

void invalidate_then_respond(const exchange_ptr& ex,
                             std::vector<std::string> keys,
                             std::vector<std::string> prefixes, response r) {
  auto shared = std::make_shared<response>(std::move(r));
  ex->svc.gate.invalidate(
      std::move(keys), std::move(prefixes),
      ex->on_executor([ex, shared](outcome<uint64_t> removed) {
        // The write is done: answer it even if a shard did not confirm, but
        // say so in the log (the entry expires with its TTL at the latest).
        if (!removed)
          log_warn("cache", ex->req.request_id +
                                ": invalidation not confirmed: " +
                                removed.error().message);
        ex->respond(std::move(*shared));
      }));
}

std::string fields_variant(const request& req) {
  auto v = query_param(req.query, "fields");
  if (!v || !v.value())
    return {};
  std::vector<std::string_view> names;
  std::string_view rest = *v.value();
  for (auto comma = rest.find(','); comma != std::string_view::npos;
       comma = rest.find(',')) {
    names.push_back(rest.substr(0, comma));
    rest.remove_prefix(comma + 1);
  }
  names.push_back(rest);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out = "fields=";
  for (auto& name : names)
    out.append(name).push_back(',');
  out.pop_back();
  return out;
}

} // namespace numina::http
