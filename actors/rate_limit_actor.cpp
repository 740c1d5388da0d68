#include "actors/rate_limit_actor.hpp"

#include "caf/all.hpp"

namespace numina::actors {

namespace {

// Kept small on purpose: one of these lives per active client and policy.
struct limiter_state {
  rate_window window;
  std::shared_ptr<rate_limit_table> table;
  rate_shard_impl shard;
  rate_check who;
  uint64_t handled = 0; // checks answered, for the stop handshake
  static constexpr const char* name = "rate_limiter";
};

using limiter_pointer = rate_limiter_impl::stateful_pointer<limiter_state>;

rate_verdict judge(limiter_pointer self) {
  auto& st = self->state;
  ++st.handled;
  auto v = st.window.check(st.table->limit_of(st.who.policy),
                           self->clock().now());
  st.table->count_verdict(st.who.policy, v.allowed);
  return v;
}

rate_limiter_impl::behavior_type
rate_limiter(limiter_pointer self, rate_shard_impl shard,
             std::shared_ptr<rate_limit_table> table, rate_check who) {
  auto& st = self->state;
  st.shard = std::move(shard);
  st.table = std::move(table);
  st.who = std::move(who);
  const auto window = st.table->limit_of(st.who.policy).window;
  return {
      [=](rate_check_atom, const rate_check&) { return judge(self); },
      [=](rate_check_atom, const rate_reply& reply) { reply(judge(self)); },
      // Idle for a whole window: every request has left it, so stopping
      // loses nothing and a returning client starts fresh.
      caf::after(window) >>
          [=] {
            auto& st = self->state;
            self->request(st.shard, caf::infinite, rate_idle_atom::value,
                          st.who, st.handled)
                .then(
                    [=](bool forgotten) {
                      if (forgotten)
                        self->quit();
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
