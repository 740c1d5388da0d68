// Bookings (api.md section 3): book a class, cancel, list my bookings.
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/list_params.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "storage/classes.hpp"

namespace numina::http {

namespace {

void book(const exchange_ptr& ex) {
  ex->svc.gate.query(
      storage::bookings_create(ex->id("id"), ex->user_id),
      ex->on_executor([ex](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto bookings = storage::decode_bookings(rows.value());
        if (bookings.empty()) {
          ex->fail(failure::of(error_code::internal));
          return;
        }
        json_writer w;
        render_booking(w, bookings.front(), false);
        // The class's booked and spots_left changed, and the booker's matches.
        invalidate_then_respond(
            ex, {},
            {cache_keys::cls_prefix(bookings.front().class_id),
             std::string{cache_keys::class_lists},
             cache_keys::matches_prefix(ex->user_id)},
            json_with(std::move(w).str(), 201, cache_policy::never));
      }));
}

void cancel(const exchange_ptr& ex) {
  ex->svc.gate.query(
      storage::bookings_delete(ex->id("id"), ex->user_id),
      ex->on_executor([ex](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto cls = storage::decode_freed_class(rows.value());
        std::vector<std::string> prefixes{std::string{cache_keys::class_lists}};
        prefixes.push_back(cache_keys::matches_prefix(ex->user_id));
        if (cls)
          prefixes.push_back(cache_keys::cls_prefix(*cls));
        invalidate_then_respond(ex, {}, std::move(prefixes), no_content());
      }));
}

void my_bookings(const exchange_ptr& ex) {
  auto params = parse_list_params(ex->req, 25);
  if (!params) {
    ex->fail(params.error());
    return;
  }
  auto sel = field_selection::parse(ex->req, booking_fields);
  if (!sel) {
    ex->fail(sel.error());
    return;
  }
  const int limit = params.value().limit;
  ex->svc.gate.query(
      storage::bookings_mine(ex->user_id, params.value().after, limit),
      ex->on_executor(
          [ex, limit, sel = sel.value()](outcome<storage::row_set> rows) {
            if (!rows) {
              ex->fail(rows.error());
              return;
            }
            auto page = storage::decode_booking_page(rows.value(), limit);
            ex->respond(json_with(render_page(page,
                                              [&](json_writer& w, auto& b) {
                                                render_booking(w, b, true, sel);
                                              }),
                                  200, cache_policy::other_get));
          }));
}

} // namespace

void add_booking_routes(router& r) {
  r.add("POST", "/api/v1/classes/{id}/bookings", auth_kind::user, book);
  r.add("DELETE", "/api/v1/bookings/{id}", auth_kind::user, cancel);
  r.add("GET", "/api/v1/users/me/bookings", auth_kind::user, my_bookings);
}

} // namespace numina::http
