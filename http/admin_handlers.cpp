// Operator endpoints under /admin (admin token; never cached).
#include "core/json_writer.hpp"
#include "http/render_pool.hpp"
#include "http/routes.hpp"

namespace numina::http {

namespace {

void db_stats(const exchange_ptr& ex) {
  ex->svc.gate.pool_stats(
      ex->on_executor([ex](outcome<actors::pool_snapshot> pool) {
        if (!pool) {
          ex->fail(pool.error());
          return;
        }
        json_writer w;
        render_pool(w, pool.value());
        auto r = json_response(std::move(w).str());
        r.set("Cache-Control", "no-store");
        ex->respond(std::move(r));
      }));
}

} // namespace

void add_admin_routes(router& r) {
  r.add("GET", "/admin/db", auth_kind::admin, db_stats);
}

} // namespace numina::http
