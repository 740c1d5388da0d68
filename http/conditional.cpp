#include "http/conditional.hpp"
#include "core/text.hpp"

#include <optional>

#include "core/digest.hpp"
#include "core/gzip.hpp"

namespace numina::http {

namespace {

// If-None-Match: "*" or a list of entity tags (weak ones compare weakly).
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = trim(header.substr(0, comma));
    if (tag == "*")
      return true;
    if (tag.substr(0, 2) == "W/")
      tag.remove_prefix(2);
    if (tag == etag)
      return true;
    if (comma == std::string_view::npos)
      break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// If-None-Match wins over If-Modified-Since when both are sent.
bool not_modified(const request& req, std::string_view etag,
                  unix_seconds last_modified) {
  if (req.has_header("if-none-match"))
    return etag_matches(req.header("if-none-match"), etag);
  if (last_modified != 0 && req.has_header("if-modified-since")) {
    auto since = parse_http_date(trim(req.header("if-modified-since")));
    return since && *since >= last_modified;
  }
  return false;
}

response not_modified_response(std::string_view etag,
                               std::string_view last_modified,
                               std::string_view cache_control) {
  response r;
  r.status = 304;
  r.content_type.clear();
  r.set("ETag", std::string{etag});
  r.set("Cache-Control", std::string{cache_control});
  r.set("Vary", "Accept-Encoding");
  if (!last_modified.empty())
    r.set("Last-Modified", std::string{last_modified});
  return r;
}

} // namespace

bool accepts_gzip(std::string_view header) {
  // The q-value of gzip if listed, else that of "*", else not acceptable;
  // q=0 (0.0, 0.00, ...) means "not acceptable".
  std::optional<bool> gzip_ok, any_ok;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = trim(header.substr(0, comma));
    auto semi = item.find(';');
    auto coding = trim(item.substr(0, semi));
    bool allowed = true;
    if (semi != std::string_view::npos) {
      auto param = trim(item.substr(semi + 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') &&
          param[1] == '=')
        allowed = trim(param.substr(2)).find_first_not_of("0.") !=
                  std::string_view::npos;
    }
    if (iequals(coding, "gzip"))
      gzip_ok = allowed;
    else if (coding == "*")
      any_ok = allowed;
    if (comma == std::string_view::npos)
      break;
    header.remove_prefix(comma + 1);
  }
  return gzip_ok.value_or(any_ok.value_or(false));
}

response from_entry(const request& req, const actors::cached_entry& e,
                    bool stale, std::string_view cache_control) {
  const bool gz = e.gzip && accepts_gzip(req.header("accept-encoding"));
  const auto& etag = gz ? e.gzip_etag : e.etag;
  response r;
  if (e.status == 200 && not_modified(req, etag, e.last_modified)) {
    r = not_modified_response(etag, e.last_modified_text, cache_control);
  } else {
    r.status = e.status;
    r.shared_body = gz ? e.gzip : e.body;
    if (e.status == 200) {
      r.set("ETag", etag);
      r.set("Cache-Control", std::string{cache_control});
      r.set("Vary", "Accept-Encoding");
      if (!e.last_modified_text.empty())
        r.set("Last-Modified", e.last_modified_text);
      if (gz)
        r.set("Content-Encoding", "gzip");
    } else {
      r.set("Cache-Control", "no-store");
    }
  }
  if (stale)
    r.set("Warning", "110 - \"Response is Stale\"");
  return r;
}

void finish_get(const request& req, response& r) {
  if (r.status != 200)
    return;
  const unix_seconds last_modified = r.last_modified;
  std::string etag;
  const bool gz = r.body.size() > actors::gzip_threshold &&
                  accepts_gzip(req.header("accept-encoding"));
  if (gz) {
    r.body = gzip(r.body);
    etag = "\"" + blake2b_hex(r.body, 16) + "-gzip\"";
  } else {
    etag = "\"" + blake2b_hex(r.body, 16) + "\"";
  }
  std::string cache_control;
  for (auto& [name, value] : r.headers)
    if (name == "Cache-Control")
      cache_control = value;
  const std::string last_modified_text =
      last_modified != 0 ? format_http_date(last_modified) : std::string{};
  if (not_modified(req, etag, last_modified)) {
    r = not_modified_response(etag, last_modified_text, cache_control);
    return;
  }
  r.set("ETag", etag);
  r.set("Vary", "Accept-Encoding");
  if (!last_modified_text.empty())
    r.set("Last-Modified", last_modified_text);
  if (gz)
    r.set("Content-Encoding", "gzip");
}

} // namespace numina::http
