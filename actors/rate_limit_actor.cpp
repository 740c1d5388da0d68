#include "actors/rate_limit_actor.hpp"

#include "caf/all.hpp"

namespace numina::actors {

namespace {

// The limiter's own timer, outside the interface its shard sees.
using limiter_self = rate_limiter_impl::extend<caf::reacts_to<caf::tick_atom>>;

// Kept small on purpose: one of these lives per active client and policy.
struct limiter_state {
  rate_window window;
  std::shared_ptr<rate_limit_table> table;
  rate_shard_impl shard;
  rate_check who;
  uint64_t handled = 0; // checks answered, for the stop handshake
  caf::actor_clock::time_point last_seen;
  static constexpr const char* name = "rate_limiter";
};

using limiter_pointer = limiter_self::stateful_pointer<limiter_state>;

rate_verdict judge(limiter_pointer self) {
  auto& st = self->state;
  ++st.handled;
  st.last_seen = self->clock().now();
  auto v = st.window.check(st.table->limit_of(st.who.policy), st.last_seen);
  st.table->count_verdict(st.who.policy, v.allowed);
  return v;
}

void arm(limiter_pointer self, caf::timespan in) {
  self->delayed_send(self, in, caf::tick_atom::value);
}

// The idle timeout, as one timer per window rather than caf::after(window):
// after() re-arms a clock event on every message, which measured 1 us of
// CPU per check and half the throughput (bench/rate_limit_actors.cpp).
limiter_self::behavior_type
rate_limiter(limiter_pointer self, rate_shard_impl shard,
             std::shared_ptr<rate_limit_table> table, rate_check who) {
  auto& st = self->state;
  st.shard = std::move(shard);
  st.table = std::move(table);
  st.who = std::move(who);
  st.last_seen = self->clock().now();
  const caf::timespan window = st.table->limit_of(st.who.policy).window;
  arm(self, window);
  return {
      [=](rate_check_atom, const rate_check&) { return judge(self); },
      [=](rate_check_atom, const rate_reply& reply) { reply(judge(self)); },
      [=](caf::tick_atom) {
        auto& st = self->state;
        auto idle = self->clock().now() - st.last_seen;
        if (idle < window) {
          arm(self, window - idle);
          return;
        }
        // Idle for a whole window: every request has left it, so stopping
        // loses nothing and a returning client starts fresh.
        self->request(st.shard, caf::infinite, rate_idle_atom::value, st.who,
                      st.handled)
            .then(
                [=](bool forgotten) {
                  if (forgotten)
                    self->quit();
                  else
                    arm(self, window); // checks were on their way
                },
                // The shard is gone (shutdown): nobody can reach us.
                [=](caf::error& err) { self->quit(std::move(err)); });
      },
  };
}

} // namespace

rate_limiter_impl spawn_rate_limiter(caf::actor_system& sys,
                                     rate_shard_impl shard,
                                     std::shared_ptr<rate_limit_table> table,
                                     rate_check who) {
  return sys.spawn(rate_limiter, std::move(shard), std::move(table),
                   std::move(who));
}

} // namespace numina::actors
