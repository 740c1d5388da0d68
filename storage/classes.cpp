// Calls and decoders of classes.hpp: parameter order here is the order the
// operations in classes_ops.cpp and bookings_ops.cpp read.
#include "storage/classes.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

namespace {

template <class T> cell opt_cell(const std::optional<T>& v) {
  return v ? cell::of(*v) : cell::none();
}

cell opt_key_at(const std::optional<page_key>& k) {
  return k ? cell::of(k->at) : cell::none();
}

cell opt_key_id(const std::optional<page_key>& k) {
  return k ? cell::of(k->id) : cell::none();
}

// Where each class column sits in a row_set (NUMINA_CLASS_COLUMNS).
struct class_columns {
  explicit class_columns(const row_set& rows)
    : id(column(rows, "id")), provider_id(column(rows, "provider_id")),
      title(column(rows, "title")), description(column(rows, "description")),
      location(column(rows, "location")), starts_at(column(rows, "starts_at")),
      duration_min(column(rows, "duration_min")),
      capacity(column(rows, "capacity")), booked(column(rows, "booked")),
      rating_average(column(rows, "rating_average")),
      rating_count(column(rows, "rating_count")),
      created_at(column(rows, "created_at")),
      updated_at(column(rows, "updated_at")) {}

  class_row read(const std::vector<cell>& r) const {
    class_row c;
    c.id = as_i64(r[id]);
    c.provider_id = as_i64(r[provider_id]);
    c.title = r[title].text;
    c.description = r[description].text;
    c.location = r[location].text;
    c.starts_at = as_time(r[starts_at]);
    c.duration_min = as_i64(r[duration_min]);
    c.capacity = as_i64(r[capacity]);
    c.booked = as_i64(r[booked]);
    if (!r[rating_average].null)
      c.rating_average = as_double(r[rating_average]);
    c.rating_count = as_i64(r[rating_count]);
    c.created_at = as_time(r[created_at]);
    c.updated_at = as_time(r[updated_at]);
    return c;
  }

  size_t id, provider_id, title, description, location, starts_at, duration_min,
      capacity, booked, rating_average, rating_count, created_at, updated_at;
};

} // namespace

db_call classes_create(const new_class& c) {
  return {"classes.create",
          {cell::of(c.provider_id), cell::of(c.title), cell::of(c.description),
           cell::of(c.location), cell::of(c.starts_at),
           cell::of(c.duration_min), cell::of(c.capacity)}};
}

db_call classes_get(int64_t id) {
  return {"classes.get", {cell::of(id)}};
}

db_call classes_list(const class_filter& f,
                     const std::optional<page_key>& after, int limit) {
  return {"classes.list",
          {opt_cell(f.from), opt_cell(f.to), opt_cell(f.provider_id),
           opt_key_at(after), opt_key_id(after), cell::of(int64_t{limit})}};
}

db_call classes_patch(int64_t id, int64_t caller, const class_changes& c) {
  return {"classes.patch",
          {cell::of(id), cell::of(caller), opt_cell(c.title),
           opt_cell(c.description), opt_cell(c.location), opt_cell(c.starts_at),
           opt_cell(c.duration_min), opt_cell(c.capacity)}};
}

db_call bookings_create(int64_t class_id, int64_t user_id) {
  return {"bookings.create", {cell::of(class_id), cell::of(user_id)}};
}

db_call bookings_delete(int64_t booking_id, int64_t caller) {
  return {"bookings.delete", {cell::of(booking_id), cell::of(caller)}};
}

db_call bookings_mine(int64_t user_id, const std::optional<page_key>& after,
                      int limit) {
  return {"bookings.mine",
          {cell::of(user_id), opt_key_at(after), opt_key_id(after),
           cell::of(int64_t{limit})}};
}

std::vector<class_row> decode_classes(const row_set& rows) {
  std::vector<class_row> out;
  if (rows.empty())
    return out;
  const class_columns cols{rows};
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows)
    out.push_back(cols.read(r));
  return out;
}

page<class_row> decode_class_page(const row_set& rows, int limit) {
  return split_page(decode_classes(rows), limit, [](const class_row& c) {
    return page_key{c.starts_at, c.id};
  });
}

std::vector<booking_row> decode_bookings(const row_set& rows) {
  std::vector<booking_row> out;
  if (rows.empty())
    return out;
  const size_t id = column(rows, "booking_id");
  const size_t class_id = column(rows, "class_id");
  const size_t user_id = column(rows, "user_id");
  const size_t created_at = column(rows, "booking_created_at");
  // bookings.mine adds each booking's class; bookings.create does not.
  std::optional<class_columns> cls;
  if (find_column(rows, "title"))
    cls.emplace(rows);
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) {
    booking_row b;
    b.id = as_i64(r[id]);
    b.class_id = as_i64(r[class_id]);
    b.user_id = as_i64(r[user_id]);
    b.created_at = as_time(r[created_at]);
    if (cls)
      b.cls = cls->read(r);
    out.push_back(std::move(b));
  }
  return out;
}

page<booking_row> decode_booking_page(const row_set& rows, int limit) {
  // The list's order is the class's start, then the booking id.
  return split_page(decode_bookings(rows), limit, [](const booking_row& b) {
    return page_key{b.cls.starts_at, b.id};
  });
}

std::optional<int64_t> decode_freed_class(const row_set& rows) {
  if (rows.empty())
    return std::nullopt;
  return as_i64(rows.rows.front().at(column(rows, "class_id")));
}

} // namespace numina::storage
