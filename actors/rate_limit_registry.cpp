#include "actors/rate_limit_registry.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/rate_limit_actor.hpp"
#include "caf/all.hpp"

namespace numina::actors {

namespace {

struct limiter_entry {
  rate_limiter_impl handle;
  uint64_t forwarded = 0; // checks sent to it, for the stop handshake
};

struct shard_state {
  std::shared_ptr<rate_limit_table> table;
  // By policy (one byte) + key: one map for all policies.
  std::unordered_map<std::string, limiter_entry> limiters;
  static constexpr const char* name = "rate_registry";
};

using shard_pointer = rate_shard_impl::stateful_pointer<shard_state>;

std::string map_key(const rate_check& c) {
  std::string k;
  k.reserve(c.key.size() + 1);
  k.push_back(static_cast<char>('0' + static_cast<int>(c.policy)));
  k += c.key;
  return k;
}

// The key's limiter, spawned on first use, with one more check on its way.
limiter_entry& limiter_for(shard_pointer self, const rate_check& c) {
  auto& st = self->state;
  auto [i, fresh] = st.limiters.try_emplace(map_key(c));
  if (fresh) {
    i->second.handle = spawn_rate_limiter(
        self->system(), caf::actor_cast<rate_shard_impl>(self), st.table, c);
    self->monitor(i->second.handle);
    st.table->count_spawn(c.policy);
  }
  ++i->second.forwarded;
  return i->second;
}

rate_shard_impl::behavior_type
rate_registry_shard(shard_pointer self,
                    std::shared_ptr<rate_limit_table> table) {
  self->state.table = std::move(table);
  // Only an abnormal stop reaches here (a normal one is demonitored first),
  // so a linear search is fine.
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.limiters.begin(); i != st.limiters.end(); ++i) {
      if (i->second.handle.address() != dm.source)
        continue;
      st.table->count_stop(static_cast<rate_policy_id>(i->first[0] - '0'));
      st.limiters.erase(i);
      return;
    }
  });
  // Limiters are not linked (one exit message per stop would come back);
  // stop them explicitly when the shard is told to go.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& kv : self->state.limiters)
      self->send_exit(kv.second.handle, msg.reason);
    self->state.limiters.clear();
    self->quit(msg.reason);
  });
  return {
      [=](rate_check_atom, rate_check& c) -> caf::delegated<rate_verdict> {
        auto& e = limiter_for(self, c);
        return self->delegate(e.handle, rate_check_atom::value, std::move(c));
      },
      [=](rate_check_atom, const rate_check& c, rate_reply& reply) {
        auto& e = limiter_for(self, c);
        self->send(e.handle, rate_check_atom::value, std::move(reply));
      },
      [=](stats_atom) -> uint64_t { return self->state.limiters.size(); },
      [=](rate_idle_atom, const rate_check& c, uint64_t handled) -> bool {
        auto& st = self->state;
        auto i = st.limiters.find(map_key(c));
        if (i == st.limiters.end() ||
            i->second.handle.address() !=
                caf::actor_cast<caf::actor_addr>(self->current_sender()))
          return true; // not ours (any more): it may stop
        if (i->second.forwarded != handled)
          return false; // checks on their way: not idle after all
        self->demonitor(i->second.handle.address());
        st.table->count_stop(c.policy);
        st.limiters.erase(i);
        return true;
      },
  };
}

} // namespace

size_t rate_shard_of(const rate_check& check, size_t shards) noexcept {
  auto h = std::hash<std::string_view>{}(check.key);
  // Mix the policy in so that one client's policies spread too.
  h ^= (static_cast<size_t>(check.policy) + 1) * 0x9e3779b97f4a7c15ull;
  return shards == 0 ? 0 : h % shards;
}

std::vector<rate_registry_local>
spawn_rate_registry(caf::actor_system& sys,
                    std::shared_ptr<rate_limit_table> table, size_t shards) {
  std::vector<rate_registry_local> out;
  for (size_t i = 0; i < std::max<size_t>(shards, 1); ++i)
    out.push_back(sys.spawn(rate_registry_shard, table));
  return out;
}

} // namespace numina::actors
