#include "actors/job.hpp"

#include <map>

#include "actors/error_convert.hpp"
#include "caf/all.hpp"
#include "core/time.hpp"
#include "storage/jobs.hpp"

namespace numina::actors {

namespace {

// Messages a job sends itself: its timer, and "the chunk's invalidations are
// done" (sent from the cache's callback thread, so it comes back as a
// message instead of touching the state from there).
using job_impl = job_actor::extend<caf::reacts_to<caf::tick_atom, uint64_t>,
                                   caf::reacts_to<chunk_atom, uint64_t, bool>>;

struct job_state {
  job_config cfg;
  db_pool_actor pool;
  job_record rec;
  uint64_t generation = 0; // a tick of an older generation is ignored
  caf::timespan backoff{0};
  caf::actor_clock::time_point started;
  std::vector<caf::typed_response_promise<job_record>> waiting;
  static constexpr const char* name = "job";
};

using job_pointer = job_impl::stateful_pointer<job_state>;

int64_t to_ms(caf::timespan d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

void arm(job_pointer self, caf::timespan delay) {
  auto& st = self->state;
  st.rec.next_run_at =
      now_seconds() +
      std::chrono::duration_cast<std::chrono::seconds>(delay).count();
  self->delayed_send(self, delay, caf::tick_atom::value, st.generation);
}

void finish(job_pointer self, const std::optional<failure>& why) {
  auto& st = self->state;
  auto& rec = st.rec;
  rec.running = false;
  rec.last_run_at = now_seconds();
  rec.last_duration_ms = to_ms(self->clock().now() - st.started);
  ++rec.runs;
  ++st.generation;
  if (why) {
    ++rec.failures;
    rec.outcome =
        "failed: " +
        (why->message.empty() ? std::string{name_of(why->code)} : why->message);
    st.backoff = st.backoff.count() == 0
                     ? st.cfg.first_backoff
                     : std::min(st.backoff * 2, st.cfg.interval);
    arm(self, st.backoff);
  } else {
    rec.outcome = "ok";
    st.backoff = caf::timespan{0};
    arm(self, st.cfg.interval);
  }
  for (auto& rp : st.waiting)
    rp.deliver(rec);
  st.waiting.clear();
}

// One chunk: the operation answers one row (storage/jobs.hpp).
void run_chunk(job_pointer self) {
  auto& st = self->state;
  auto run = st.generation;
  storage::db_call call{st.cfg.operation,
                        {storage::cell::of(int64_t{st.cfg.batch_size})}};
  self->request(st.pool, st.cfg.chunk_timeout, query_atom::value, call)
      .then(
          [=](storage::row_set& rows) {
            auto& st = self->state;
            storage::job_chunk chunk;
            try {
              chunk = storage::decode_job_chunk(rows);
            } catch (const std::exception& e) {
              finish(self, failure::of(error_code::internal, e.what()));
              return;
            }
            st.rec.rows += static_cast<uint64_t>(chunk.touched);
            const bool more = chunk.more;
            auto& stale = chunk.stale;
            if (stale.empty() || !st.cfg.invalidate) {
              self->send(self, chunk_atom::value, run, more);
              return;
            }
            job_impl me = self;
            st.cfg.invalidate(std::move(stale), [me, run, more] {
              caf::anon_send(me, chunk_atom::value, run, more);
            });
          },
          [=](caf::error& err) { finish(self, to_failure(err)); });
}

void start(job_pointer self) {
  auto& st = self->state;
  st.rec.running = true;
  st.rec.outcome = "running";
  st.rec.rows = 0;
  st.started = self->clock().now();
  ++st.generation; // the timer armed before this run is now stale
  run_chunk(self);
}

job_impl::behavior_type job(job_pointer self, job_config cfg,
                            db_pool_actor pool, uint64_t restarts) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.pool = std::move(pool);
  st.rec.name = st.cfg.name;
  st.rec.interval_ms = to_ms(st.cfg.interval);
  st.rec.outcome = "never";
  st.rec.restarts = restarts;
  arm(self, st.cfg.interval);
  return {
      [=](run_atom) -> caf::result<job_record> {
        auto rp = self->make_response_promise<job_record>();
        self->state.waiting.push_back(rp);
        if (!self->state.rec.running)
          start(self);
        return rp;
      },
      [=](caf::get_atom) -> job_record { return self->state.rec; },
      [=](caf::tick_atom, uint64_t gen) {
        auto& st = self->state;
        if (gen != st.generation || st.rec.running)
          return;
        start(self);
      },
      [=](chunk_atom, uint64_t run, bool more) {
        auto& st = self->state;
        if (run != st.generation || !st.rec.running)
          return;
        if (more)
          run_chunk(self);
        else
          finish(self, std::nullopt);
      },
  };
}

struct supervisor_state {
  std::vector<job_config> configs;
  db_pool_actor pool;
  std::map<std::string, job_actor> jobs;
  std::map<std::string, uint64_t> restarts;
  bool stopping = false;
  static constexpr const char* name = "job_supervisor";
};

using supervisor_pointer =
    job_supervisor_actor::stateful_pointer<supervisor_state>;

void start_job(supervisor_pointer self, const job_config& cfg) {
  auto& st = self->state;
  job_actor handle = self->spawn(job, cfg, st.pool, st.restarts[cfg.name]);
  self->monitor(handle);
  st.jobs[cfg.name] = handle;
}

job_supervisor_actor::behavior_type supervisor(supervisor_pointer self,
                                               std::vector<job_config> configs,
                                               db_pool_actor pool) {
  self->state.configs = std::move(configs);
  self->state.pool = std::move(pool);
  for (auto& cfg : self->state.configs)
    start_job(self, cfg);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.stopping)
      return;
    for (auto& cfg : st.configs) {
      auto i = st.jobs.find(cfg.name);
      if (i != st.jobs.end() && i->second.address() == dm.source) {
        ++st.restarts[cfg.name];
        start_job(self, cfg);
        return;
      }
    }
  });
  self->set_exit_handler([=](caf::exit_msg& msg) {
    self->state.stopping = true;
    for (auto& kv : self->state.jobs)
      self->send_exit(kv.second, msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](records_atom) -> caf::result<std::vector<job_record>> {
        auto rp = self->make_response_promise<std::vector<job_record>>();
        auto out = std::make_shared<std::vector<job_record>>();
        auto pending = std::make_shared<size_t>(self->state.jobs.size());
        if (*pending == 0) {
          rp.deliver(std::vector<job_record>{});
          return rp;
        }
        for (auto& kv : self->state.jobs)
          self->request(kv.second, std::chrono::seconds(5),
                        caf::get_atom::value)
              .then(
                  [=](job_record& r) mutable {
                    out->push_back(std::move(r));
                    if (--*pending == 0)
                      rp.deliver(std::move(*out));
                  },
                  [=](caf::error& err) mutable {
                    if (*pending > 0) {
                      *pending = 0;
                      rp.deliver(std::move(err));
                    }
                  });
        return rp;
      },
      [=](run_atom, const std::string& name) -> caf::result<job_record> {
        auto i = self->state.jobs.find(name);
        if (i == self->state.jobs.end())
          return to_error(
              failure::of(error_code::not_found, "No job named " + name + "."));
        return self->delegate(i->second, run_atom::value);
      },
      [=](caf::get_atom, const std::string& name) -> caf::result<job_actor> {
        auto i = self->state.jobs.find(name);
        if (i == self->state.jobs.end())
          return to_error(
              failure::of(error_code::not_found, "No job named " + name + "."));
        return i->second;
      },
  };
}

} // namespace

job_supervisor_actor spawn_job_supervisor(caf::actor_system& sys,
                                          std::vector<job_config> jobs,
                                          db_pool_actor pool) {
  return sys.spawn(supervisor, std::move(jobs), std::move(pool));
}

} // namespace numina::actors
