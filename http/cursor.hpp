// Opaque list cursors: the sort key of the last item of a page, with a
// short BLAKE2b tag so that a tampered or truncated cursor is refused (400)
// instead of silently starting somewhere else. Cursors are not secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/page.hpp"

namespace numina::http {

std::string encode_cursor(const storage::page_key& key);
std::optional<storage::page_key> decode_cursor(std::string_view cursor);

} // namespace numina::http
