// Operator endpoints under /admin (admin token; never cached).
#include "core/json_writer.hpp"
#include "core/time.hpp"
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

void render_record(json_writer& w, const actors::job_record& r) {
  w.begin_object();
  w.field("name", r.name);
  w.field("interval_s", r.interval_ms / 1000);
  w.key("last_run");
  if (r.last_run_at == 0)
    w.null();
  else
    w.value(format_rfc3339(r.last_run_at));
  w.field("duration_ms", r.last_duration_ms);
  w.field("outcome", r.outcome);
  w.field("rows", r.rows);
  w.key("next_run");
  if (r.next_run_at == 0)
    w.null();
  else
    w.value(format_rfc3339(r.next_run_at));
  w.field("running", r.running);
  w.field("runs", r.runs).field("failures", r.failures);
  w.field("restarts", r.restarts);
  w.end_object();
}

response no_store_json(std::string body) {
  auto r = json_response(std::move(body));
  r.set("Cache-Control", "no-store");
  return r;
}

void jobs(const exchange_ptr& ex) {
  ex->svc.gate.job_records(
      ex->on_executor([ex](outcome<std::vector<actors::job_record>> all) {
        if (!all) {
          ex->fail(all.error());
          return;
        }
        json_writer w;
        w.begin_object().key("jobs").begin_array();
        for (auto& r : all.value())
          render_record(w, r);
        w.end_array().end_object();
        ex->respond(no_store_json(std::move(w).str()));
      }));
}

void run_job(const exchange_ptr& ex) {
  std::string name;
  for (auto& [key, value] : ex->params)
    if (key == "name")
      name = value;
  ex->svc.gate.run_job(name,
                       ex->on_executor([ex](outcome<actors::job_record> r) {
                         if (!r) {
                           ex->fail(r.error());
                           return;
                         }
                         json_writer w;
                         render_record(w, r.value());
                         ex->respond(no_store_json(std::move(w).str()));
                       }));
}

} // namespace

void add_admin_routes(router& r) {
  r.add("GET", "/admin/jobs", auth_kind::admin, jobs);
  r.add("POST", "/admin/jobs/{name}/run", auth_kind::admin, run_job);
  r.add("GET", "/admin/cache", auth_kind::admin, cache_stats);
  r.add("DELETE", "/admin/cache", auth_kind::admin, cache_invalidate);
  r.add("GET", "/admin/db", auth_kind::admin, db_stats);
  r.add("GET", "/admin/ratelimits", auth_kind::admin, rate_limit_stats);
}

} // namespace numina::http
