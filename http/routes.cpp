#include "http/routes.hpp"

namespace numina::http {

router make_router() {
  router r;
  add_health_routes(r);
  add_admin_routes(r);
  return r;
}

} // namespace numina::http
