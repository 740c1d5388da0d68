// Every route of the service, by feature. Each feature file adds its own.
#pragma once

#include "http/router.hpp"

namespace numina::http {

void add_health_routes(router& r);
void add_admin_routes(router& r);
void add_auth_routes(router& r);
void add_user_routes(router& r);
void add_class_routes(router& r);
void add_booking_routes(router& r);
void add_review_routes(router& r);
void add_notification_routes(router& r);
void add_social_routes(router& r);
void add_message_routes(router& r);
void add_match_routes(router& r);

/// The whole route table.
router make_router();

} // namespace numina::http
