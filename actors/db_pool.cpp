#include "actors/db_pool.hpp"

#include <map>
#include <optional>
#include <vector>

#include "actors/error_convert.hpp"
#include "caf/all.hpp"

namespace numina::actors {

namespace {

using clock_type = caf::actor_clock::clock_type;

// Timer messages the pool sends itself stay out of the public interface.
using pool_impl = db_pool_actor::extend<
    caf::reacts_to<caf::timeout_atom, int64_t>, // acquire deadline of a ticket
    caf::reacts_to<retry_atom, uint64_t>,       // reconnect a worker
    caf::reacts_to<caf::tick_atom>>;            // close surplus idle workers

enum class slot_state { connecting, idle, busy, down };

struct slot {
  db_worker_actor handle;
  slot_state state = slot_state::connecting;
  caf::timespan backoff{0};
  clock_type::time_point last_active;
};

struct pending {
  storage::db_call call;
  caf::typed_response_promise<storage::row_set> rp;
};

struct pool_state {
  db_pool_config cfg;
  db_worker_factory factory;
  std::map<uint64_t, slot> slots; // by worker id
  uint64_t next_worker_id = 1;
  // FIFO by ticket; a call sent back by a vanished worker goes to the front.
  std::map<int64_t, pending> queue;
  int64_t next_back = 0;
  int64_t next_front = -1;
  bool connect_failing = false; // the latest connect attempt failed
  bool stopping = false;
  pool_snapshot counters;
  static constexpr const char* name = "db_pool";
};

using pool_pointer = pool_impl::stateful_pointer<pool_state>;

void release(pool_pointer self, uint64_t id);
void start_worker(pool_pointer self);

size_t count(pool_pointer self, slot_state st) {
  size_t n = 0;
  for (auto& kv : self->state.slots)
    n += kv.second.state == st;
  return n;
}

bool database_up(pool_pointer self) {
  return count(self, slot_state::idle) + count(self, slot_state::busy) > 0;
}

void arm_acquire_timeout(pool_pointer self, int64_t ticket) {
  self->delayed_send(self, self->state.cfg.acquire_timeout,
                     caf::timeout_atom::value, ticket);
}

// Asks a worker to (re)connect, or to confirm its connection still lives.
void connect(pool_pointer self, uint64_t id) {
  auto i = self->state.slots.find(id);
  if (i == self->state.slots.end())
    return;
  i->second.state = slot_state::connecting;
  self->request(i->second.handle, caf::infinite, connect_atom::value)
      .then(
          [=](caf::ok_atom) {
            auto j = self->state.slots.find(id);
            if (j == self->state.slots.end())
              return;
            self->state.connect_failing = false;
            j->second.backoff = caf::timespan{0};
            release(self, id);
          },
          [=](caf::error&) {
            auto j = self->state.slots.find(id);
            if (j == self->state.slots.end())
              return;
            auto& s = j->second;
            auto& cfg = self->state.cfg;
            self->state.connect_failing = true;
            s.state = slot_state::down;
            s.backoff = s.backoff.count() == 0
                            ? cfg.reconnect_min
                            : std::min(s.backoff * 2, cfg.reconnect_max);
            self->delayed_send(self, s.backoff, retry_atom::value, id);
            // Nobody can serve the queue now: answer it instead of letting it
            // wait for the acquire timeout.
            if (!database_up(self)) {
              for (auto& kv : self->state.queue) {
                kv.second.rp.deliver(to_error(failure::of(
                    error_code::unavailable, "the database is unreachable")));
                ++self->state.counters.rejected;
                ++self->state.counters.errors;
              }
              self->state.queue.clear();
            }
          });
}

void dispatch(pool_pointer self, uint64_t id, pending p) {
  auto& s = self->state.slots.at(id);
  s.state = slot_state::busy;
  auto started = self->clock().now();
  // No timeout towards our own worker: statement_timeout bounds the query.
  self->request(s.handle, caf::infinite, query_atom::value, p.call)
      .then(
          [=](storage::row_set& rows) mutable {
            auto& c = self->state.counters;
            auto us = static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(
                    self->clock().now() - started)
                    .count());
            ++c.queries;
            c.total_query_us += us;
            c.max_query_us = std::max(c.max_query_us, us);
            p.rp.deliver(std::move(rows));
            release(self, id);
          },
          [=](caf::error& err) mutable {
            if (err == caf::sec::request_receiver_down) {
              // Never processed: the worker was gone before it saw the call.
              // Safe to run elsewhere; the down handler replaces the worker.
              auto ticket = self->state.next_front--;
              self->state.queue.emplace(ticket, std::move(p));
              arm_acquire_timeout(self, ticket);
              return;
            }
            ++self->state.counters.queries;
            ++self->state.counters.errors;
            auto f = to_failure(err);
            p.rp.deliver(std::move(err));
            if (self->state.slots.count(id) == 0)
              return; // the worker died on this call; the down handler acts
            if (f.code == error_code::unavailable)
              connect(self, id); // maybe the connection broke: check it
            else
              release(self, id);
          });
}

// Worker `id` is free: give it the oldest waiting call, or mark it idle.
void release(pool_pointer self, uint64_t id) {
  auto& st = self->state;
  auto& s = st.slots.at(id);
  s.last_active = self->clock().now();
  if (st.queue.empty()) {
    s.state = slot_state::idle;
    return;
  }
  auto next = std::move(st.queue.begin()->second);
  st.queue.erase(st.queue.begin());
  dispatch(self, id, std::move(next));
}

void start_worker(pool_pointer self) {
  auto& st = self->state;
  auto id = st.next_worker_id++;
  auto handle = st.factory(self->system());
  self->monitor(handle);
  st.slots.emplace(id, slot{handle, slot_state::connecting, caf::timespan{0},
                            self->clock().now()});
  st.counters.size = static_cast<uint32_t>(st.slots.size());
  connect(self, id);
}

std::optional<uint64_t> find_idle(pool_pointer self) {
  for (auto& kv : self->state.slots)
    if (kv.second.state == slot_state::idle)
      return kv.first;
  return std::nullopt;
}

pool_snapshot snapshot(pool_pointer self) {
  auto& st = self->state;
  auto s = st.counters;
  s.size = static_cast<uint32_t>(st.slots.size());
  s.idle = static_cast<uint32_t>(count(self, slot_state::idle));
  s.busy = static_cast<uint32_t>(count(self, slot_state::busy));
  s.connecting = static_cast<uint32_t>(count(self, slot_state::connecting));
  s.down = static_cast<uint32_t>(count(self, slot_state::down));
  s.waiting = static_cast<uint32_t>(st.queue.size());
  s.database_up = database_up(self);
  return s;
}

pool_impl::behavior_type db_pool(pool_pointer self, db_pool_config cfg,
                                 db_worker_factory factory) {
  auto& st = self->state;
  st.cfg = cfg;
  st.factory = std::move(factory);
  for (unsigned i = 0; i < std::max(cfg.min_workers, 1u); ++i)
    start_worker(self);
  if (cfg.idle_check.count() > 0)
    self->delayed_send(self, cfg.idle_check, caf::tick_atom::value);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.slots.begin(); i != st.slots.end(); ++i) {
      if (i->second.handle.address() != dm.source)
        continue;
      st.slots.erase(i);
      if (st.stopping)
        return;
      ++st.counters.restarts;
      if (st.slots.size() < std::max(st.cfg.min_workers, 1u) ||
          !st.queue.empty())
        start_worker(self);
      return;
    }
  });
  // Workers are not linked (a crash must not take the pool down): stop them
  // explicitly when the pool is told to go. (An attach_functor would run
  // after the state is gone.)
  self->set_exit_handler([=](caf::exit_msg& msg) {
    self->state.stopping = true;
    for (auto& kv : self->state.slots)
      self->send_exit(kv.second.handle, msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](query_atom, storage::db_call& call) -> caf::result<storage::row_set> {
        auto& st = self->state;
        if (auto id = find_idle(self)) {
          auto rp = self->make_response_promise<storage::row_set>();
          dispatch(self, *id, pending{std::move(call), rp});
          return rp;
        }
        if (st.connect_failing && !database_up(self)) {
          ++st.counters.rejected;
          ++st.counters.errors;
          return to_error(failure::of(error_code::unavailable,
                                      "the database is unreachable"));
        }
        if (st.queue.size() >= st.cfg.max_queue) {
          ++st.counters.rejected;
          ++st.counters.errors;
          return to_error(
              failure::of(error_code::unavailable, "the database is busy"));
        }
        // Grow towards max_workers while more calls wait than workers connect.
        if (st.slots.size() < st.cfg.max_workers &&
            count(self, slot_state::connecting) <= st.queue.size())
          start_worker(self);
        auto rp = self->make_response_promise<storage::row_set>();
        auto ticket = st.next_back++;
        st.queue.emplace(ticket, pending{std::move(call), rp});
        arm_acquire_timeout(self, ticket);
        return rp;
      },
      [=](stats_atom) -> pool_snapshot { return snapshot(self); },
      [=](caf::timeout_atom, int64_t ticket) {
        auto& st = self->state;
        auto i = st.queue.find(ticket);
        if (i == st.queue.end())
          return; // dispatched in time
        ++st.counters.timeouts;
        ++st.counters.errors;
        i->second.rp.deliver(to_error(failure::of(
            error_code::unavailable, "no database connection became free")));
        st.queue.erase(i);
      },
      [=](retry_atom, uint64_t id) { connect(self, id); },
      [=](caf::tick_atom) {
        auto& st = self->state;
        auto now = self->clock().now();
        std::vector<uint64_t> surplus;
        for (auto& kv : st.slots)
          if (kv.second.state == slot_state::idle &&
              now - kv.second.last_active >= st.cfg.idle_close)
            surplus.push_back(kv.first);
        for (auto id : surplus) {
          if (st.slots.size() <= std::max(st.cfg.min_workers, 1u))
            break;
          auto handle = st.slots.at(id).handle;
          st.slots.erase(id);
          self->demonitor(handle.address());
          self->send_exit(handle, caf::exit_reason::user_shutdown);
        }
        self->delayed_send(self, st.cfg.idle_check, caf::tick_atom::value);
      },
  };
}

} // namespace

db_pool_actor spawn_db_pool(caf::actor_system& sys, db_pool_config cfg,
                            db_worker_factory factory) {
  return sys.spawn(db_pool, std::move(cfg), std::move(factory));
}

} // namespace numina::actors
