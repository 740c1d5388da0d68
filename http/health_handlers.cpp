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

struct health_facts {
  outcome<actors::pool_snapshot> pool = failure::of(error_code::unavailable);
  outcome<std::vector<actors::cache_shard_stats>> cache =
      failure::of(error_code::unavailable);
};

void answer_health(const exchange_ptr& ex, const health_facts& facts,
                   const outcome<storage::row_set>& rows) {
  auto version = schema_version(rows);
  const bool db_ok =
      version.ok() && version.value() >= storage::latest_schema_version();
  const bool cache_ok = facts.cache.ok();
  json_writer w;
  w.begin_object();
  w.field("status", db_ok && cache_ok ? "ok" : "degraded");
  w.key("checks").begin_object();
  w.key("database").begin_object();
  w.field("status", db_ok ? "ok" : "down");
  if (version)
    w.field("schema_version", version.value());
  else
    w.field("error", version.error().message);
  if (facts.pool) {
    w.key("pool");
    render_pool(w, facts.pool.value());
  }
  w.end_object();
  w.key("cache").begin_object().field("status", cache_ok ? "ok" : "down");
  if (cache_ok) {
    uint64_t entries = 0, bytes = 0;
    for (auto& s : facts.cache.value()) {
      entries += s.entries;
      bytes += s.bytes;
    }
    w.field("shards", static_cast<uint64_t>(facts.cache.value().size()));
    w.field("entries", entries).field("bytes", bytes);
  }
  w.end_object();
  // One node until the cluster issue lands.
  w.key("cluster").begin_object().field("status", "ok");
  w.field("nodes", 1).end_object();
  w.end_object().end_object();
  const bool ok = db_ok && cache_ok;
  auto r = json_response(std::move(w).str(), ok ? 200 : 503);
  if (!ok)
    r.set("Retry-After", "1");
  ex->respond(no_store(std::move(r)));
}

// Gathers the pool's counters, the cache shards' and the database's schema
// version, one after the other, then answers with all of them.
void health(const exchange_ptr& ex) {
  auto facts = std::make_shared<health_facts>();
  ex->svc.gate.pool_stats(
      ex->on_executor([ex, facts](outcome<actors::pool_snapshot> pool) {
        facts->pool = std::move(pool);
        ex->svc.gate.cache_stats(ex->on_executor(
            [ex, facts](outcome<std::vector<actors::cache_shard_stats>> cache) {
              facts->cache = std::move(cache);
              ex->svc.gate.query(
                  {"health.schema_version", {}},
                  ex->on_executor([ex, facts](outcome<storage::row_set> rows) {
                    answer_health(ex, *facts, rows);
                  }));
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
