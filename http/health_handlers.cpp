// /health/live, /health/ready and /health (api.md section 4).
#include "core/json_writer.hpp"
#include "http/render_pool.hpp"
#include "http/routes.hpp"
#include "storage/migrate.hpp"
#include "storage/rows.hpp"

namespace numina::http {

namespace {

response no_store(response r) {
  r.set("Cache-Control", "no-store");
  return r;
}

// The schema version the database reports, or why it could not.
outcome<int64_t> schema_version(const outcome<storage::row_set>& rows) {
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return failure::of(error_code::unavailable, "no schema version");
  return storage::as_i64(rows.value().rows[0][0]);
}

void live(const exchange_ptr& ex) {
  ex->respond(no_store(json_response(R"({"status":"ok"})")));
}

void ready(const exchange_ptr& ex) {
  ex->svc.gate.query({"health.schema_version", {}},
                     ex->on_executor([ex](outcome<storage::row_set> rows) {
                       auto version = schema_version(rows);
                       if (!version) {
                         ex->fail(failure::of(error_code::unavailable,
                                              "The database is unreachable."));
                         return;
                       }
                       if (version.value() < storage::latest_schema_version()) {
                         ex->fail(
                             failure::of(error_code::unavailable,
                                         "The database is not migrated yet."));
                         return;
                       }
                       json_writer w;
                       w.begin_object().field("status", "ready");
                       w.field("schema_version", version.value()).end_object();
                       ex->respond(no_store(json_response(std::move(w).str())));
                     }));
}

// Asks the pool for its counters, then the database for its schema, and
// answers with both.
void health(const exchange_ptr& ex) {
  ex->svc.gate.pool_stats(
      ex->on_executor([ex](outcome<actors::pool_snapshot> pool) {
        ex->svc.gate.query(
            {"health.schema_version", {}},
            ex->on_executor([ex, pool](outcome<storage::row_set> rows) {
              auto version = schema_version(rows);
              const bool db_ok =
                  version.ok() &&
                  version.value() >= storage::latest_schema_version();
              json_writer w;
              w.begin_object();
              w.field("status", db_ok ? "ok" : "degraded");
              w.key("checks").begin_object();
              w.key("database").begin_object();
              w.field("status", db_ok ? "ok" : "down");
              if (version)
                w.field("schema_version", version.value());
              else
                w.field("error", version.error().message);
              if (pool) {
                w.key("pool");
                render_pool(w, pool.value());
              }
              w.end_object();
              // The in-process cache and the cluster arrive with their own
              // issues; until then a node is alone and caches nothing.
              w.key("cache").begin_object().field("status", "ok");
              w.field("enabled", false).end_object();
              w.key("cluster").begin_object().field("status", "ok");
              w.field("nodes", 1).end_object();
              w.end_object().end_object();
              auto r = json_response(std::move(w).str(), db_ok ? 200 : 503);
              if (!db_ok)
                r.set("Retry-After", "1");
              ex->respond(no_store(std::move(r)));
            }));
      }));
}

} // namespace

void add_health_routes(router& r) {
  r.add("GET", "/health/live", auth_kind::none, live);
  r.add("GET", "/health/ready", auth_kind::none, ready);
  r.add("GET", "/health", auth_kind::none, health);
}

} // namespace numina::http
