#include "actors/cache_shard.hpp"

#include <unordered_map>

#include "actors/error_convert.hpp"
#include "actors/shard_store.hpp"
#include "caf/all.hpp"

namespace numina::actors {

namespace {

struct inflight {
  std::vector<cache_fetch> waiters;
  entry_ptr stale;          // served if the load fails for want of the DB
  bool invalidated = false; // a write came: answer, but do not keep
};

struct shard_state {
  cache_shard_config cfg;
  db_pool_actor pool;
  std::shared_ptr<shard_store> store; // shared with the edge's fresh reads
  std::unordered_map<std::string, inflight> loading;
  cache_shard_stats stats;
  static constexpr const char* name = "cache_shard";
};

using shard_pointer = cache_shard_actor::stateful_pointer<shard_state>;

// Answers one request, adding the gzip variant first when it asks for it
// and the entry has none yet (compressed once, then kept).
void answer(shard_pointer self, cache_fetch& f, entry_ptr e, bool stale) {
  if (needs_gzip(*e, f.read.want_gzip)) {
    e = with_gzip(*e);
    self->state.store->locked()->update(f.read.key, e);
  }
  f.done(cache_answer{std::move(e), stale, {}});
}

void fail(cache_fetch& f, const failure& why) {
  f.done(cache_answer{nullptr, false, why});
}

void finish(shard_pointer self, const std::string& key,
            outcome<rendered> result, std::chrono::milliseconds ttl) {
  auto& st = self->state;
  auto i = st.loading.find(key);
  if (i == st.loading.end())
    return;
  auto waiting = std::move(i->second);
  st.loading.erase(i);
  if (!result) {
    ++st.stats.load_failures;
    for (auto& f : waiting.waiters)
      fail(f, result.error());
    return;
  }
  auto entry = make_entry(std::move(result.value()));
  if (!waiting.invalidated) {
    auto now = self->clock().now();
    if (entry->status == 200)
      st.store->locked()->put(key, entry, now + ttl,
                              now + ttl + st.cfg.stale_grace);
    else // a 404: kept briefly, never served stale
      st.store->locked()->put(key, entry, now + st.cfg.ttl_not_found,
                              now + st.cfg.ttl_not_found);
  }
  for (auto& f : waiting.waiters)
    answer(self, f, entry, false);
}

void load_failed(shard_pointer self, const std::string& key, failure why) {
  auto& st = self->state;
  auto i = st.loading.find(key);
  if (i == st.loading.end())
    return;
  auto waiting = std::move(i->second);
  st.loading.erase(i);
  ++st.stats.load_failures;
  const bool db_down = why.code == error_code::unavailable;
  for (auto& f : waiting.waiters) {
    if (db_down && waiting.stale) {
      ++st.stats.stale_serves;
      answer(self, f, waiting.stale, true);
    } else {
      fail(f, why);
    }
  }
}

void start_load(shard_pointer self, const cache_fetch& f) {
  auto& st = self->state;
  ++st.stats.loads;
  auto key = f.read.key;
  auto render = f.read.render;
  auto ttl = f.read.ttl;
  self->request(st.pool, st.cfg.load_timeout, query_atom::value, f.read.load)
      .then(
          [=](storage::row_set& rows) {
            outcome<rendered> r = failure::of(error_code::internal);
            try {
              r = render(rows);
            } catch (const std::exception&) {
              // A decoder met rows it cannot read: a bug, answered as internal.
            }
            finish(self, key, std::move(r), ttl);
          },
          [=](caf::error& err) { load_failed(self, key, to_failure(err)); });
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

cache_shard_actor spawn_cache_shard(caf::actor_system& sys,
                                    cache_shard_config cfg,
                                    std::shared_ptr<shard_store> store,
                                    db_pool_actor pool) {
  return sys.spawn([cfg, store, pool](
                       shard_pointer self) -> cache_shard_actor::behavior_type {
    auto& st = self->state;
    st.cfg = cfg;
    st.pool = pool;
    st.store = store;
    st.stats.shard = cfg.index;
    return {
        [=](fetch_atom, cache_fetch& f) {
          auto& st = self->state;
          auto found =
              st.store->locked()->find_again(f.read.key, self->clock().now());
          if (found && found->fresh) {
            ++st.stats.hits;
            answer(self, f, found->entry, false);
            return;
          }
          ++st.stats.misses;
          auto& l = st.loading[f.read.key];
          if (found)
            l.stale = found->entry;
          l.waiters.push_back(std::move(f));
          if (l.waiters.size() == 1)
            start_load(self, l.waiters.front());
        },
        [=](invalidate_atom, const std::vector<std::string>& keys,
            const std::vector<std::string>& prefixes) -> uint64_t {
          auto& st = self->state;
          uint64_t removed = 0;
          for (auto& k : keys) {
            removed += st.store->locked()->erase(k);
            if (auto i = st.loading.find(k); i != st.loading.end())
              i->second.invalidated = true;
          }
          for (auto& p : prefixes) {
            removed += st.store->locked()->erase_prefix(p);
            for (auto& kv : st.loading)
              if (starts_with(kv.first, p))
                kv.second.invalidated = true;
          }
          st.stats.invalidations += removed;
          return removed;
        },
        [=](stats_atom) -> cache_shard_stats {
          auto s = self->state.stats;
          s.hits += self->state.store->edge_hits();
          auto store = self->state.store->locked();
          s.entries = store->entries();
          s.bytes = store->bytes();
          s.evictions = store->evictions();
          return s;
        },
    };
  });
}

} // namespace numina::actors
