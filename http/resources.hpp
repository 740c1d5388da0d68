// JSON representations of the contract's objects (api.md section 3), each
// honouring a field selection. The field lists are what `fields=` accepts.
#pragma once

#include <string_view>
#include <vector>

#include "core/json_writer.hpp"
#include "http/fields.hpp"
#include "storage/classes.hpp"
#include "storage/users.hpp"

namespace numina::http {

using field_names = std::vector<std::string_view>;

inline const field_names own_user_fields = {"id",  "email",      "name",
                                            "bio", "created_at", "updated_at"};
inline const field_names profile_fields = {
    "id", "name", "bio", "created_at", "updated_at", "followers", "following"};
inline const field_names user_ref_fields = {"id", "name"};
inline const field_names class_fields = {
    "id",        "provider_id",  "title",     "description", "location",
    "starts_at", "duration_min", "capacity",  "booked",      "spots_left",
    "rating",    "created_at",   "updated_at"};
inline const field_names booking_fields = {"id", "class_id", "user_id",
                                           "created_at", "class"};

void render_own_user(json_writer& w, const storage::user_row& u,
                     const field_selection& sel = {});
void render_profile(json_writer& w, const storage::user_row& u,
                    const field_selection& sel = {});
void render_user_ref(json_writer& w, const storage::user_ref& u,
                     const field_selection& sel = {});
void render_class(json_writer& w, const storage::class_row& c,
                  const field_selection& sel = {});
void render_booking(json_writer& w, const storage::booking_row& b,
                    bool with_class, const field_selection& sel = {});

/// `{"items":[...],"next_cursor":...}` around a page, rendering each item.
template <class T, class Render>
std::string render_page(const storage::page<T>& p, Render render_item);

} // namespace numina::http

#include "http/cursor.hpp"

namespace numina::http {

template <class T, class Render>
std::string render_page(const storage::page<T>& p, Render render_item) {
  json_writer w;
  w.begin_object().key("items").begin_array();
  for (auto& item : p.items)
    render_item(w, item);
  w.end_array().key("next_cursor");
  if (p.next)
    w.value(encode_cursor(*p.next));
  else
    w.null();
  w.end_object();
  return std::move(w).str();
}

} // namespace numina::http
