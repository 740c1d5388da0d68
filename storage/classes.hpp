// Classes and bookings: calls and rows. The SQL lives in classes_ops.cpp and
// bookings_ops.cpp.
#pragma once

#include <optional>
#include <string>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct class_row {
  int64_t id = 0;
  int64_t provider_id = 0;
  std::string title;
  std::string description;
  std::string location;
  unix_seconds starts_at = 0;
  int64_t duration_min = 0;
  int64_t capacity = 0;
  int64_t booked = 0;
  std::optional<double> rating_average; // null before the first aggregation
  int64_t rating_count = 0;
  unix_seconds created_at = 0;
  unix_seconds updated_at = 0; // includes the last booking change
};

struct booking_row {
  int64_t id = 0;
  int64_t class_id = 0;
  int64_t user_id = 0;
  unix_seconds created_at = 0;
  class_row cls; // filled by bookings.mine only
};

struct new_class {
  int64_t provider_id = 0;
  std::string title;
  std::string description;
  std::string location;
  unix_seconds starts_at = 0;
  int64_t duration_min = 0;
  int64_t capacity = 0;
};

struct class_changes {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> location;
  std::optional<unix_seconds> starts_at;
  std::optional<int64_t> duration_min;
  std::optional<int64_t> capacity;
};

struct class_filter {
  std::optional<unix_seconds> from; // starts_at >= from
  std::optional<unix_seconds> to;   // starts_at <= to
  std::optional<int64_t> provider_id;
};

db_call classes_create(const new_class& c); // returns the class row
db_call classes_get(int64_t id);            // no row when missing
/// Ordered by (starts_at, id) ascending; fetches limit + 1 rows.
db_call classes_list(const class_filter& f,
                     const std::optional<page_key>& after, int limit);
/// Only the provider may change a class: not_found, forbidden, or conflict
/// (capacity below the current bookings). Returns the new row.
db_call classes_patch(int64_t id, int64_t caller, const class_changes& c);

/// Books a seat: not_found (no class), already_booked, class_full.
/// Returns the booking row.
db_call bookings_create(int64_t class_id, int64_t user_id);
/// Cancels: not_found, forbidden (someone else's). Frees the seat and
/// returns one row: the class id (decode_freed_class).
db_call bookings_delete(int64_t booking_id, int64_t caller);
/// The caller's bookings with their classes, ordered by (class starts_at,
/// booking id) ascending; fetches limit + 1 rows.
db_call bookings_mine(int64_t user_id, const std::optional<page_key>& after,
                      int limit);

std::vector<class_row> decode_classes(const row_set& rows);
page<class_row> decode_class_page(const row_set& rows, int limit);
std::vector<booking_row> decode_bookings(const row_set& rows);
page<booking_row> decode_booking_page(const row_set& rows, int limit);
/// The class whose seat a cancellation freed.
std::optional<int64_t> decode_freed_class(const row_set& rows);

} // namespace numina::storage
