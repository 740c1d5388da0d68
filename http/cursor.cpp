#include "http/cursor.hpp"

#include <charconv>

#include <sodium.h>

namespace numina::http {

namespace {

constexpr size_t tag_bytes = 8;
constexpr std::string_view version = "c1";

std::string tag_of(std::string_view payload) {
  unsigned char tag[tag_bytes];
  crypto_generichash(tag, sizeof tag,
                     reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size(), nullptr, 0);
  return std::string{reinterpret_cast<char*>(tag), sizeof tag};
}

std::string base64url(std::string_view bin) {
  std::string out(sodium_base64_ENCODED_LEN(
                      bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1); // the terminating NUL
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                        out.size(), text.data(), text.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

bool parse_i64(std::string_view s, int64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

} // namespace

std::string encode_cursor(const storage::page_key& key) {
  std::string payload{version};
  payload += ':';
  payload += std::to_string(key.at);
  payload += ':';
  payload += std::to_string(key.id);
  return base64url(payload + tag_of(payload));
}

std::optional<storage::page_key> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 200)
    return std::nullopt;
  auto bin = unbase64url(cursor);
  if (!bin || bin->size() <= tag_bytes)
    return std::nullopt;
  auto payload = std::string_view{*bin}.substr(0, bin->size() - tag_bytes);
  auto tag = std::string_view{*bin}.substr(bin->size() - tag_bytes);
  if (tag_of(payload) != tag)
    return std::nullopt;
  if (payload.substr(0, version.size() + 1) != std::string{version} + ":")
    return std::nullopt;
  payload.remove_prefix(version.size() + 1);
  auto colon = payload.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  storage::page_key key;
  if (!parse_i64(payload.substr(0, colon), key.at) ||
      !parse_i64(payload.substr(colon + 1), key.id) || key.id <= 0)
    return std::nullopt;
  return key;
}

} // namespace numina::http
