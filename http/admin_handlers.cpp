// Operator endpoints under /admin (admin token; never cached).
#include "core/json_writer.hpp"
#include "http/query.hpp"
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

void cache_stats(const exchange_ptr& ex) {
  ex->svc.gate.cache_stats(ex->on_executor(
      [ex](outcome<std::vector<actors::cache_shard_stats>> shards) {
        if (!shards) {
          ex->fail(shards.error());
          return;
        }
        uint64_t hits = 0, misses = 0, entries = 0, bytes = 0;
        json_writer w;
        w.begin_object().key("shards").begin_array();
        for (auto& s : shards.value()) {
          hits += s.hits;
          misses += s.misses;
          entries += s.entries;
          bytes += s.bytes;
          w.begin_object();
          w.field("shard", uint64_t{s.shard});
          w.field("entries", s.entries).field("bytes", s.bytes);
          w.field("hits", s.hits).field("misses", s.misses);
          w.field("loads", s.loads).field("evictions", s.evictions);
          w.field("invalidations", s.invalidations);
          w.field("stale_serves", s.stale_serves);
          w.field("load_failures", s.load_failures);
          w.end_object();
        }
        w.end_array();
        w.field("entries", entries).field("bytes", bytes);
        w.field("hits", hits).field("misses", misses);
        w.key("hit_rate");
        if (hits + misses == 0)
          w.null();
        else
          w.value(static_cast<double>(hits) /
                  static_cast<double>(hits + misses));
        w.end_object();
        auto r = json_response(std::move(w).str());
        r.set("Cache-Control", "no-store");
        ex->respond(std::move(r));
      }));
}

void cache_invalidate(const exchange_ptr& ex) {
  auto prefix = query_param(ex->req.query, "prefix");
  if (!prefix) {
    ex->fail(prefix.error());
    return;
  }
  if (!prefix.value()) {
    ex->fail(failure::invalid("prefix", "prefix is required (\"\" for all)"));
    return;
  }
  ex->svc.gate.invalidate(
      {}, {*prefix.value()}, ex->on_executor([ex](outcome<uint64_t> removed) {
        if (!removed) {
          ex->fail(removed.error());
          return;
        }
        json_writer w;
        w.begin_object().field("removed", removed.value()).end_object();
        auto r = json_response(std::move(w).str());
        r.set("Cache-Control", "no-store");
        ex->respond(std::move(r));
      }));
}

// Per policy: its limit and window, the limiters alive now, and what they
// allowed and refused since start.
void rate_limit_stats(const exchange_ptr& ex) {
  ex->svc.gate.rate_limit_stats(
      ex->on_executor([ex](outcome<actors::rate_limit_snapshot> snap) {
        if (!snap) {
          ex->fail(snap.error());
          return;
        }
        json_writer w;
        w.begin_object().field("enabled", snap.value().enabled);
        w.key("policies").begin_object();
        for (auto& p : snap.value().policies) {
          w.key(p.policy).begin_object();
          w.field("limit", uint64_t{p.limit});
          w.field("window_seconds", static_cast<double>(p.window_ms) / 1000.0);
          w.field("live", p.live);
          w.field("allowed", p.allowed).field("rejected", p.rejected);
          w.end_object();
        }
        w.end_object().end_object();
        auto r = json_response(std::move(w).str());
        r.set("Cache-Control", "no-store");
        ex->respond(std::move(r));
      }));
}

} // namespace

void add_admin_routes(router& r) {
  r.add("GET", "/admin/cache", auth_kind::admin, cache_stats);
  r.add("DELETE", "/admin/cache", auth_kind::admin, cache_invalidate);
  r.add("GET", "/admin/db", auth_kind::admin, db_stats);
  r.add("GET", "/admin/ratelimits", auth_kind::admin, rate_limit_stats);
}

} // namespace numina::http
