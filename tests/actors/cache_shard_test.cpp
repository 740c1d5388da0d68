// A cache shard under the deterministic test coordinator, loading through a
// scripted DB pool: time moves only with advance_time().
#define CAF_SUITE cache_shard
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/cache_shard.hpp"
#include "actors/error_convert.hpp"
#include "actors/shard_store.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

// A pool that answers each query with a row holding the op name and a
// version counter, or fails while `down`.
struct scripted_db {
  bool down = false;
  int loads = 0;
};

db_pool_actor::behavior_type scripted_pool(db_pool_actor::pointer,
                                           std::shared_ptr<scripted_db> db) {
  return {
      [=](query_atom, storage::db_call& call) -> caf::result<storage::row_set> {
        ++db->loads;
        if (db->down)
          return to_error(failure::of(error_code::unavailable, "down"));
        if (call.op == "missing")
          return storage::row_set{{"v"}, {}, 0};
        return storage::row_set{
            {"v"},
            {{storage::cell::of(call.op + "#" + std::to_string(db->loads))}},
            0};
      },
      [=](stats_atom) { return pool_snapshot{}; },
  };
}

outcome<rendered> render_first(const storage::row_set& rows) {
  if (rows.rows.empty())
    return rendered{404, "{}", 0};
  return rendered{200, rows.rows[0][0].text, 0};
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<scripted_db> db = std::make_shared<scripted_db>();
  db_pool_actor pool = sys.spawn(scripted_pool, db);
  cache_shard_actor shard;
  std::shared_ptr<shard_store> store; // the one `shard` keeps its entries in
  // What the callbacks received, in order.
  std::vector<std::string> answers;

  fixture() {
    store = std::make_shared<shard_store>(cache_store{1 << 20});
    shard = make_shard(store);
  }

  cache_shard_actor make_shard(std::shared_ptr<shard_store> s) {
    cache_shard_config cfg;
    cfg.stale_grace = 10min;
    cfg.ttl_not_found = 5s;
    cfg.load_timeout = 1h; // never fires in these tests
    return spawn_cache_shard(sys, cfg, std::move(s), pool);
  }

  // What the edge reads without a message to the shard.
  std::string edge_read(const std::string& key, bool gzip = false) {
    auto e = store->fresh(key, gzip, sched.clock().now());
    return e ? *e->body : "(none)";
  }

  ~fixture() {
    self->send_exit(shard, caf::exit_reason::user_shutdown);
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void fetch(const cache_shard_actor& s, std::string key, std::string op,
             std::chrono::milliseconds ttl = 60s, bool gzip = false) {
    cache_read read;
    read.key = std::move(key);
    read.ttl = ttl;
    read.load = storage::db_call{std::move(op), {}};
    read.render = render_first;
    read.want_gzip = gzip;
    self->send(s, fetch_atom::value,
               cache_fetch{std::move(read), [this](cache_answer a) {
                             if (!a.entry)
                               answers.push_back(
                                   std::string{name_of(a.error.code)});
                             else
                               answers.push_back((a.stale ? "stale:" : "") +
                                                 *a.entry->body);
                           }});
    sched.run();
  }

  uint64_t invalidate(std::vector<std::string> keys,
                      std::vector<std::string> prefixes) {
    uint64_t removed = 0;
    self->send(shard, invalidate_atom::value, std::move(keys),
               std::move(prefixes));
    sched.run();
    self->receive([&](uint64_t n) { removed = n; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return removed;
  }

  cache_shard_stats stats() {
    cache_shard_stats out;
    self->send(shard, stats_atom::value);
    sched.run();
    self->receive([&](cache_shard_stats& s) { out = s; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cache_shard_tests, fixture)

CAF_TEST(a_miss_loads_and_the_next_read_hits) {
  fetch(shard, "class:1|", "c1");
  fetch(shard, "class:1|", "c1");
  CAF_CHECK_EQUAL(db->loads, 1);
  CAF_REQUIRE_EQUAL(answers.size(), 2u);
  CAF_CHECK_EQUAL(answers[0], "c1#1");
  CAF_CHECK_EQUAL(answers[1], "c1#1");
  auto s = stats();
  CAF_CHECK_EQUAL(s.hits, 1u);
  CAF_CHECK_EQUAL(s.misses, 1u);
  CAF_CHECK_EQUAL(s.loads, 1u);
  CAF_CHECK_EQUAL(s.entries, 1u);
}

CAF_TEST(concurrent_misses_for_one_key_cause_one_load) {
  cache_read read;
  for (int i = 0; i < 3; ++i) {
    cache_read r;
    r.key = "class:2|";
    r.ttl = 60s;
    r.load = storage::db_call{"c2", {}};
    r.render = render_first;
    self->send(shard, fetch_atom::value,
               cache_fetch{std::move(r), [this](cache_answer a) {
                             answers.push_back(*a.entry->body);
                           }});
  }
  // All three reach the shard before the pool answers the first load.
  expect((fetch_atom, cache_fetch), from(self).to(shard));
  expect((fetch_atom, cache_fetch), from(self).to(shard));
  expect((fetch_atom, cache_fetch), from(self).to(shard));
  sched.run();
  CAF_CHECK_EQUAL(db->loads, 1);
  CAF_CHECK_EQUAL(answers, std::vector<std::string>(3, "c2#1"));
}

CAF_TEST(an_entry_expires_after_its_ttl) {
  fetch(shard, "class:3|", "c3", 60s);
  advance_time(59s);
  fetch(shard, "class:3|", "c3", 60s);
  CAF_CHECK_EQUAL(db->loads, 1);
  advance_time(1s);
  fetch(shard, "class:3|", "c3", 60s);
  CAF_CHECK_EQUAL(db->loads, 2);
  CAF_CHECK_EQUAL(answers.back(), "c3#2");
}

CAF_TEST(a_failed_load_is_not_cached) {
  db->down = true;
  fetch(shard, "class:4|", "c4");
  CAF_CHECK_EQUAL(answers.back(), "unavailable");
  db->down = false;
  fetch(shard, "class:4|", "c4");
  CAF_CHECK_EQUAL(answers.back(), "c4#2");
  CAF_CHECK_EQUAL(stats().load_failures, 1u);
}

CAF_TEST(a_not_found_is_cached_briefly) {
  fetch(shard, "class:5|", "missing");
  fetch(shard, "class:5|", "missing");
  CAF_CHECK_EQUAL(db->loads, 1);
  advance_time(5s);
  fetch(shard, "class:5|", "missing");
  CAF_CHECK_EQUAL(db->loads, 2);
}

CAF_TEST(invalidation_by_key_and_by_prefix) {
  fetch(shard, "class:6|", "a");
  fetch(shard, "class:6|fields=id", "b");
  fetch(shard, "classes:list|limit=5", "c");
  CAF_CHECK_EQUAL(invalidate({"class:6|"}, {}), 1u);
  CAF_CHECK_EQUAL(invalidate({}, {"class:6|"}), 1u);
  CAF_CHECK_EQUAL(invalidate({}, {"classes:list"}), 1u);
  CAF_CHECK_EQUAL(stats().entries, 0u);
  fetch(shard, "class:6|", "a");
  CAF_CHECK_EQUAL(db->loads, 4);
  CAF_CHECK_EQUAL(stats().invalidations, 3u);
}

CAF_TEST(an_invalidation_during_a_load_keeps_the_loaded_answer_out) {
  cache_read r;
  r.key = "class:7|";
  r.ttl = 60s;
  r.load = storage::db_call{"c7", {}};
  r.render = render_first;
  self->send(shard, fetch_atom::value,
             cache_fetch{std::move(r), [this](cache_answer a) {
                           answers.push_back(*a.entry->body);
                         }});
  expect((fetch_atom, cache_fetch), from(self).to(shard));
  // The load is on its way to the pool; a write invalidates the key now.
  self->send(shard, invalidate_atom::value, std::vector<std::string>{},
             std::vector<std::string>{"class:7|"});
  sched.run();
  CAF_CHECK_EQUAL(answers.size(), 1u);
  fetch(shard, "class:7|", "c7");
  CAF_CHECK_EQUAL(db->loads, 2);
}

CAF_TEST(the_memory_bound_evicts_the_least_recently_used) {
  auto small = make_shard(std::make_shared<shard_store>(cache_store{2000}));
  fetch(small, "a|", std::string(300, 'a'));
  fetch(small, "b|", std::string(300, 'b'));
  fetch(small, "a|", std::string(300, 'a')); // a is now the most recent
  fetch(small, "c|", std::string(300, 'c'));
  fetch(small, "d|", std::string(300, 'd'));
  const int before = db->loads;
  fetch(small, "a|", std::string(300, 'a'));
  CAF_CHECK_EQUAL(db->loads, before); // kept
  fetch(small, "b|", std::string(300, 'b'));
  CAF_CHECK_EQUAL(db->loads, before + 1); // evicted, loaded again
  self->send_exit(small, caf::exit_reason::user_shutdown);
}

CAF_TEST(stale_entries_are_served_while_the_database_is_down_within_grace) {
  fetch(shard, "class:8|", "c8", 60s);
  db->down = true;
  advance_time(61s);
  fetch(shard, "class:8|", "c8", 60s);
  CAF_CHECK_EQUAL(answers.back(), "stale:c8#1");
  advance_time(9min);
  fetch(shard, "class:8|", "c8", 60s);
  CAF_CHECK_EQUAL(answers.back(), "stale:c8#1");
  // Past TTL + grace (60 s + 10 min): gone.
  advance_time(1min);
  fetch(shard, "class:8|", "c8", 60s);
  CAF_CHECK_EQUAL(answers.back(), "unavailable");
  CAF_CHECK_EQUAL(stats().stale_serves, 2u);
  db->down = false;
  fetch(shard, "class:8|", "c8", 60s);
  CAF_CHECK_EQUAL(answers.back().substr(0, 3), "c8#");
}

CAF_TEST(gzip_is_computed_once_for_large_bodies_when_asked) {
  fetch(shard, "list|", std::string(2000, 'x'), 60s, true);
  cache_answer seen;
  cache_read r;
  r.key = "list|";
  r.ttl = 60s;
  r.load = storage::db_call{std::string(2000, 'x'), {}};
  r.render = render_first;
  r.want_gzip = true;
  self->send(shard, fetch_atom::value,
             cache_fetch{std::move(r), [&](cache_answer a) { seen = a; }});
  sched.run();
  CAF_REQUIRE(seen.entry != nullptr);
  CAF_CHECK(seen.entry->gzip != nullptr);
  CAF_CHECK(seen.entry->gzip_etag != seen.entry->etag);
  CAF_CHECK(seen.entry->gzip->size() < 200u);
  CAF_CHECK_EQUAL(db->loads, 1);
}

CAF_TEST(the_edge_reads_fresh_entries_without_a_message_and_counts_hits) {
  CAF_CHECK_EQUAL(edge_read("class:9|"), "(none)"); // absent: ask the shard
  fetch(shard, "class:9|", "c9", 60s);
  CAF_CHECK_EQUAL(edge_read("class:9|"), "c9#1");
  CAF_CHECK_EQUAL(edge_read("class:9|"), "c9#1");
  CAF_CHECK_EQUAL(db->loads, 1);
  auto s = stats();
  CAF_CHECK_EQUAL(s.hits, 2u);   // both edge reads
  CAF_CHECK_EQUAL(s.misses, 1u); // the first fetch only
}

CAF_TEST(
    the_edge_leaves_expired_invalidated_and_gzip_wanting_reads_to_the_shard) {
  fetch(shard, "class:10|", "c10", 60s);
  advance_time(60s);
  CAF_CHECK_EQUAL(edge_read("class:10|"), "(none)"); // past its TTL
  fetch(shard, "class:10|", "c10", 60s);             // reloaded by the shard
  CAF_CHECK_EQUAL(edge_read("class:10|"), "c10#2");
  invalidate({"class:10|"}, {});
  CAF_CHECK_EQUAL(edge_read("class:10|"), "(none)"); // the write's effect
  fetch(shard, "big|", std::string(2000, 'y'), 60s);
  // The shard compresses; the edge's thread never does.
  CAF_CHECK_EQUAL(edge_read("big|", true), "(none)");
  CAF_CHECK_EQUAL(edge_read("big|").size(), 2002u); // "yyy...#3"
  fetch(shard, "big|", std::string(2000, 'y'), 60s, true);
  CAF_CHECK_NOT_EQUAL(edge_read("big|", true), "(none)");
  CAF_CHECK_EQUAL(db->loads, 3);
}

CAF_TEST_FIXTURE_SCOPE_END()
