#include "actors/runtime.hpp"

#include <optional>

#include "actors/cache_shard.hpp"
#include "actors/db_pool.hpp"
#include "actors/db_worker.hpp"
#include "actors/error_convert.hpp"
#include "actors/job.hpp"
#include "actors/password_pool.hpp"
#include "actors/rate_limit_registry.hpp"
#include "actors/shard_store.hpp"
#include "caf/all.hpp"
#include "storage/catalog.hpp"

namespace numina::actors {

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg,
                                    const config::settings& s) {
  // Our own flags are parsed by config/; CAF gets only what we set here.
  cfg.set("scheduler.max-threads", static_cast<size_t>(s.actors.threads));
  register_message_types(cfg);
  return cfg;
}

// Sends one request from a short-lived actor and hands the reply to `done`
// (pattern B of caf-0.17.md section 4: no blocking, no shared bridge).
template <class Result, class Handle, class Done, class... Ts>
void ask(caf::actor_system& sys, Handle dest, caf::timespan timeout, Done done,
         Ts... xs) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(dest, timeout, xs...)
        .then([done](Result& r) { done(outcome<Result>{std::move(r)}); },
              [done](caf::error& err) {
                done(outcome<Result>{to_failure(err)});
              });
  });
}

// Sends one request to each of `dests` from a short-lived actor (`ask`
// makes the i-th) and hands every reply, in arrival order, to `done` once
// all have answered; the first error ends the gathering instead.
template <class Reply, class Dest, class Ask>
void gather(caf::actor_system& sys, const std::vector<Dest>& dests, Ask ask,
            std::function<void(outcome<std::vector<Reply>>)> done) {
  sys.spawn([dests, ask, done](caf::event_based_actor* self) {
    struct progress {
      std::vector<Reply> replies;
      size_t pending = 0;
      bool over = false;
    };
    auto p = std::make_shared<progress>();
    p->pending = dests.size();
    if (dests.empty()) {
      done(std::vector<Reply>{});
      return;
    }
    for (size_t i = 0; i < dests.size(); ++i)
      ask(self, dests[i], i)
          .then(
              [=](Reply& r) {
                if (p->over)
                  return;
                p->replies.push_back(std::move(r));
                if (--p->pending == 0) {
                  p->over = true;
                  done(std::move(p->replies));
                }
              },
              [=](caf::error& err) {
                if (p->over)
                  return;
                p->over = true;
                done(to_failure(err));
              });
  });
}

} // namespace

struct runtime::impl final : gateway {
  explicit impl(const config::settings& s)
    : settings(s), sys(configure(caf_cfg, s)) {
    db_pool_config pc;
    pc.min_workers = s.database.pool_min;
    pc.max_workers = s.database.pool_max;
    pc.acquire_timeout = s.database.acquire_timeout;
    pc.reconnect_min = s.database.reconnect_min;
    pc.reconnect_max = s.database.reconnect_max;
    auto url = s.database.url;
    auto statement_timeout = s.database.statement_timeout;
    pool = spawn_db_pool(
        sys, pc, [url, statement_timeout](caf::actor_system& sys) {
          return sys.spawn<caf::detached>(
              db_worker,
              std::shared_ptr<storage::executor>{
                  storage::make_pg_executor(url, statement_timeout)});
        });
    password_pool_config hc;
    hc.concurrency = s.auth.hash_concurrency;
    hc.opslimit = s.auth.hash_ops;
    hc.memlimit = s.auth.hash_memory;
    passwords = spawn_password_pool(sys, hc);
    rate_table = std::make_shared<rate_limit_table>(s.rate_limit);
    rate_shards = spawn_rate_registry(sys, rate_table, s.actors.threads);
    const unsigned shard_count = std::max(s.cache.shards, 1u);
    for (unsigned i = 0; i < shard_count; ++i) {
      cache_shard_config cc;
      cc.index = i;
      cc.stale_grace = s.cache.stale_grace;
      cc.ttl_not_found = s.cache.ttl_not_found;
      cc.load_timeout = s.database.acquire_timeout +
                        s.database.statement_timeout + std::chrono::seconds(1);
      shard_stores.push_back(std::make_shared<shard_store>(
          cache_store{s.cache.max_bytes / shard_count, s.cache.eviction}));
      shards.push_back(spawn_cache_shard(sys, cc, shard_stores.back(), pool));
    }
    jobs = spawn_job_supervisor(sys, job_configs(s), pool);
    // A reply can take the acquire wait plus one statement; the margin
    // covers the hops.
    query_timeout = s.database.acquire_timeout + s.database.statement_timeout +
                    std::chrono::seconds(1);
  }

  void query(storage::db_call call, rows_done done) override {
    ask<storage::row_set>(sys, pool, query_timeout, std::move(done),
                          query_atom::value, std::move(call));
  }

  void pool_stats(pool_done done) override {
    ask<pool_snapshot>(sys, pool, std::chrono::seconds(5), std::move(done),
                       stats_atom::value);
  }

  void hash_password(std::string password, text_done done) override {
    ask<std::string>(sys, passwords, hash_timeout, std::move(done),
                     hash_atom::value, std::move(password));
  }

  void verify_password(std::string password, std::string stored,
                       check_done done) override {
    ask<bool>(sys, passwords, hash_timeout, std::move(done), verify_atom::value,
              std::move(password), std::move(stored));
  }

  void check_rate(rate_policy_id policy, std::string key,
                  rate_done done) override {
    // One hop and no request actor: the verdict goes straight from the
    // limiter to `done` (rate_limit_reply.hpp).
    rate_check c{policy, std::move(key)};
    const auto& shard = rate_shards[rate_shard_of(c, rate_shards.size())];
    caf::anon_send(shard, rate_check_atom::value, std::move(c),
                   rate_reply{std::move(done)});
  }

  void rate_limit_stats(rate_stats_done done) override {
    done(rate_table->snapshot());
  }

  size_t shard_index(std::string_view key) const {
    return std::hash<std::string_view>{}(routing_part(key)) % shards.size();
  }

  void cached(cache_read read, cache_done done) override {
    const auto& shard = shards[shard_index(read.key)];
    caf::anon_send(shard, fetch_atom::value,
                   cache_fetch{std::move(read), std::move(done)});
  }

  entry_ptr cached_fresh(const std::string& key, bool want_gzip) override {
    if (stopped)
      return nullptr;
    return shard_stores[shard_index(key)]->fresh(
        key, want_gzip, std::chrono::steady_clock::now());
  }

  void invalidate(std::vector<std::string> keys,
                  std::vector<std::string> prefixes, count_done done) override {
    // Keys go to their own shard, prefixes to every shard (a prefix such as
    // "classes:list" spans many routing keys).
    std::vector<std::vector<std::string>> keys_of(shards.size());
    for (auto& k : keys)
      keys_of[shard_index(k)].push_back(std::move(k));
    gather<uint64_t>(
        sys, shards,
        [keys_of = std::move(keys_of), prefixes = std::move(prefixes)](
            caf::event_based_actor* self, const cache_shard_actor& shard,
            size_t i) {
          return self->request(shard, std::chrono::seconds(5),
                               invalidate_atom::value, keys_of[i], prefixes);
        },
        [done](outcome<std::vector<uint64_t>> removed) {
          if (!removed) {
            done(failure::of(error_code::unavailable));
            return;
          }
          uint64_t sum = 0;
          for (auto n : removed.value())
            sum += n;
          done(sum);
        });
  }

  void cache_stats(cache_stats_done done) override {
    gather<cache_shard_stats>(
        sys, shards,
        [](caf::event_based_actor* self, const cache_shard_actor& shard,
           size_t) {
          return self->request(shard, std::chrono::seconds(5),
                               stats_atom::value);
        },
        std::move(done));
  }

  // The jobs whose storage operation this build has.
  std::vector<job_config> job_configs(const config::settings& s) {
    struct spec {
      const char* name;
      const char* op;
      config::duration interval;
    };
    const spec specs[] = {
        {"ratings", "jobs.ratings", s.jobs.ratings_interval},
        {"feed", "jobs.feed", s.jobs.feed_interval},
        {"notifications", "jobs.notifications", s.jobs.notifications_interval},
        {"idempotency", "jobs.idempotency", s.jobs.idempotency_interval},
    };
    std::vector<job_config> out;
    for (auto& sp : specs) {
      if (!storage::operation_exists(sp.op))
        continue;
      job_config c;
      c.name = sp.name;
      c.operation = sp.op;
      c.interval = sp.interval;
      c.batch_size = s.jobs.batch_size;
      c.chunk_timeout = s.database.acquire_timeout +
                        s.database.statement_timeout + std::chrono::seconds(1);
      c.invalidate = [this](std::vector<std::string> prefixes,
                            std::function<void()> next) {
        invalidate({}, std::move(prefixes),
                   [next](outcome<uint64_t>) { next(); });
      };
      out.push_back(std::move(c));
    }
    return out;
  }

  void job_records(records_done done) override {
    ask<std::vector<job_record>>(sys, jobs, std::chrono::seconds(10),
                                 std::move(done), records_atom::value);
  }

  void run_job(std::string name, record_done done) override {
    // A run of many chunks may take long; the chunk timeouts bound it.
    ask<job_record>(sys, jobs, std::chrono::minutes(30), std::move(done),
                    run_atom::value, std::move(name));
  }

  void shutdown() {
    if (stopped)
      return;
    stopped = true;
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(passwords, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(jobs, caf::exit_reason::user_shutdown);
    jobs = nullptr;
    for (auto& shard : rate_shards)
      caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
    for (auto& shard : shards)
      caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
    shards.clear();
    pool = nullptr;
    passwords = nullptr;
  }

  config::settings settings;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  db_pool_actor pool;
  password_actor passwords;
  std::shared_ptr<rate_limit_table> rate_table;
  std::vector<rate_registry_local> rate_shards; // never empty
  std::vector<cache_shard_actor> shards;
  std::vector<std::shared_ptr<shard_store>> shard_stores; // one per shard
  job_supervisor_actor jobs;
  caf::timespan query_timeout;
  // A full queue of hashes ahead (256 at ~0.1 s over 2 workers) fits.
  caf::timespan hash_timeout = std::chrono::seconds(30);
  bool stopped = false;
};

runtime::runtime(const config::settings& settings)
  : impl_(std::make_unique<impl>(settings)) {}

runtime::~runtime() {
  shutdown();
}

gateway& runtime::gate() {
  return *impl_;
}

void runtime::shutdown() {
  if (impl_)
    impl_->shutdown();
}

} // namespace numina::actors
