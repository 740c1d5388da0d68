#include "http/resources.hpp"

#include "core/time.hpp"

namespace numina::http {

namespace {

// The fields the own object and the public profile share, in the order both
// list them after `id` (and `email`, own object only).
void write_user_common(json_writer& w, const storage::user_row& u,
                       const field_selection& sel) {
  if (sel.wants("name"))
    w.field("name", u.name);
  if (sel.wants("bio"))
    w.field("bio", u.bio);
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(u.created_at));
  if (sel.wants("updated_at"))
    w.field("updated_at", format_rfc3339(u.updated_at));
}

} // namespace

void render_own_user(json_writer& w, const storage::user_row& u,
                     const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", u.id);
  if (sel.wants("email"))
    w.field("email", u.email);
  write_user_common(w, u, sel);
  w.end_object();
}

void render_profile(json_writer& w, const storage::user_row& u,
                    const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", u.id);
  write_user_common(w, u, sel);
  if (sel.wants("followers"))
    w.field("followers", u.followers);
  if (sel.wants("following"))
    w.field("following", u.following);
  w.end_object();
}

void render_user_ref(json_writer& w, const storage::user_ref& u,
                     const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", u.id);
  if (sel.wants("name"))
    w.field("name", u.name);
  w.end_object();
}

void render_class(json_writer& w, const storage::class_row& c,
                  const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", c.id);
  if (sel.wants("provider_id"))
    w.field("provider_id", c.provider_id);
  if (sel.wants("title"))
    w.field("title", c.title);
  if (sel.wants("description"))
    w.field("description", c.description);
  if (sel.wants("location"))
    w.field("location", c.location);
  if (sel.wants("starts_at"))
    w.field("starts_at", format_rfc3339(c.starts_at));
  if (sel.wants("duration_min"))
    w.field("duration_min", c.duration_min);
  if (sel.wants("capacity"))
    w.field("capacity", c.capacity);
  if (sel.wants("booked"))
    w.field("booked", c.booked);
  if (sel.wants("spots_left"))
    w.field("spots_left", c.capacity - c.booked);
  if (sel.wants("rating")) {
    w.key("rating").begin_object().key("average");
    if (c.rating_average)
      w.value(*c.rating_average);
    else
      w.null();
    w.field("count", c.rating_count).end_object();
  }
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(c.created_at));
  if (sel.wants("updated_at"))
    w.field("updated_at", format_rfc3339(c.updated_at));
  w.end_object();
}

void render_booking(json_writer& w, const storage::booking_row& b,
                    bool with_class, const field_selection& sel) {
  w.begin_object();
  if (sel.wants("id"))
    w.field("id", b.id);
  if (sel.wants("class_id"))
    w.field("class_id", b.class_id);
  if (sel.wants("user_id"))
    w.field("user_id", b.user_id);
  if (sel.wants("created_at"))
    w.field("created_at", format_rfc3339(b.created_at));
  if (with_class && sel.wants("class")) {
    w.key("class");
    render_class(w, b.cls);
  }
  w.end_object();
}

} // namespace numina::http
