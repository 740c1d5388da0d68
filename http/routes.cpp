#include "http/routes.hpp"

namespace numina::http {

router make_router() {
  router r;
  add_health_routes(r);
  add_admin_routes(r);
  add_auth_routes(r);
  // Literal segments first: /users/me/bookings before /users/{id}/...
  add_booking_routes(r);
  add_user_routes(r);
  add_class_routes(r);
  add_review_routes(r);
  add_notification_routes(r);
  add_social_routes(r);
  add_message_routes(r);
  add_match_routes(r);
  return r;
}

} // namespace numina::http
