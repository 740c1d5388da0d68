#include "actors/runtime.hpp"

#include <optional>

#include "actors/db_pool.hpp"
#include "actors/db_worker.hpp"
#include "actors/error_convert.hpp"
#include "actors/password_pool.hpp"
#include "caf/all.hpp"

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

  void shutdown() {
    if (stopped)
      return;
    stopped = true;
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(passwords, caf::exit_reason::user_shutdown);
    pool = nullptr;
    passwords = nullptr;
  }

  config::settings settings;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  db_pool_actor pool;
  password_actor passwords;
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
