// The eviction policies of cache_store (lru, tinylfu) and the frequency
// sketch behind tinylfu, without actors.
#define CAF_SUITE cache_eviction
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <random>

#include "actors/cache_store.hpp"

using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

using time_point = cache_store::time_point;
const time_point t0{};

entry_ptr entry(size_t body_bytes) {
  return make_entry(rendered{200, std::string(body_bytes, 'x'), 0});
}

uint64_t hash_of(const std::string& key) {
  return sketch_hash(key.data(), key.size());
}

// A read as the shard does it: a miss loads and puts. True on a hit.
bool read(cache_store& store, const std::string& key, size_t body_bytes,
          time_point now = t0) {
  if (auto f = store.find(key, now); f && f->fresh)
    return true;
  store.put(key, entry(body_bytes), now + 1h, now + 2h);
  return false;
}

// Fills a tinylfu store with keys used once, looks "new|" up four times
// with `look` (each a miss), keeps it and pushes it out of the window:
// whether the main part admitted it.
template <class Look> bool newcomer_admitted(Look look) {
  cache_store store{64 << 10, cache_eviction::tinylfu};
  for (int i = 0; i < 200; ++i)
    read(store, "cold:" + std::to_string(i) + "|", 512);
  for (int i = 0; i < 4; ++i)
    look(store);
  store.put("new|", entry(512), t0 + 1h, t0 + 2h);
  for (int i = 0; i < 50; ++i)
    read(store, "later:" + std::to_string(i) + "|", 512);
  return store.find("new|", t0).has_value();
}

std::string hot(int i) {
  return "class:" + std::to_string(i) + "|";
}

} // namespace

CAF_TEST(the_sketch_counts_uses_up_to_fifteen) {
  frequency_sketch sketch{1024};
  const auto a = hash_of("class:1|");
  const auto b = hash_of("class:2|");
  CAF_CHECK_EQUAL(sketch.estimate(a), 0u);
  for (int i = 0; i < 5; ++i)
    sketch.increment(a);
  sketch.increment(b);
  CAF_CHECK_EQUAL(sketch.estimate(a), 5u);
  CAF_CHECK_EQUAL(sketch.estimate(b), 1u);
  for (int i = 0; i < 40; ++i)
    sketch.increment(a);
  CAF_CHECK_EQUAL(sketch.estimate(a), 15u);
}

CAF_TEST(the_sketch_halves_every_count_after_its_sample_size) {
  frequency_sketch sketch{1024};
  const auto hot_key = hash_of("hot");
  for (int i = 0; i < 12; ++i)
    sketch.increment(hot_key);
  CAF_CHECK_EQUAL(sketch.estimate(hot_key), 12u);
  // Other keys, one use each, fill the sample up to the halving.
  uint64_t n = 0;
  uint64_t last = sketch.additions();
  while (sketch.additions() >= last) {
    last = sketch.additions();
    sketch.increment(hash_of("k" + std::to_string(n++)));
  }
  CAF_CHECK_EQUAL(n, sketch.sample_size() - 12);
  CAF_CHECK_EQUAL(sketch.additions(), sketch.sample_size() / 2);
  // 12 / 2, plus what colliding keys added before the halving (at a
  // halving each counter holds 2.5 foreign uses on average: 10 per word).
  CAF_CHECK_GREATER_OR_EQUAL(sketch.estimate(hot_key), 6u);
  CAF_CHECK_LESS_OR_EQUAL(sketch.estimate(hot_key), 7u);
}

CAF_TEST(the_sketch_grows_without_losing_its_bound) {
  frequency_sketch sketch{16};
  CAF_CHECK_EQUAL(sketch.capacity(), 16u);
  sketch.ensure_capacity(1000);
  CAF_CHECK_EQUAL(sketch.capacity(), 1024u);
  CAF_CHECK_EQUAL(sketch.sample_size(), 10240u);
  sketch.ensure_capacity(10); // never shrinks
  CAF_CHECK_EQUAL(sketch.capacity(), 1024u);
}

CAF_TEST(a_one_off_scan_does_not_flush_the_hot_set_under_tinylfu) {
  // 100 hot keys of 1 KiB fit in the bound; a scan of 5,000 keys read once
  // each is about 25 times the bound (an entry costs about 1.3 KB).
  auto run = [](cache_eviction policy) {
    cache_store store{256 << 10, policy};
    for (int round = 0; round < 5; ++round)
      for (int i = 0; i < 100; ++i)
        read(store, hot(i), 1024);
    for (int i = 0; i < 5000; ++i)
      read(store, "scan:" + std::to_string(i) + "|", 1024);
    int hits = 0;
    for (int i = 0; i < 100; ++i)
      hits += read(store, hot(i), 1024);
    return hits;
  };
  CAF_CHECK_GREATER_OR_EQUAL(run(cache_eviction::tinylfu), 95);
  CAF_CHECK_EQUAL(run(cache_eviction::lru), 0); // what LRU does
}

CAF_TEST(a_newcomer_used_more_often_than_the_victim_is_admitted) {
  CAF_CHECK(newcomer_admitted(
      [](cache_store& store) { return store.find("new|", t0); }));
}

CAF_TEST(find_again_does_not_count_a_use) {
  CAF_CHECK(!newcomer_admitted(
      [](cache_store& store) { return store.find_again("new|", t0); }));
}

CAF_TEST(the_byte_bound_holds_with_entries_of_different_sizes) {
  for (auto policy : {cache_eviction::lru, cache_eviction::tinylfu}) {
    const size_t bound = 200 << 10;
    cache_store store{bound, policy};
    std::mt19937 rng{7};
    std::uniform_int_distribution<int> key_of{0, 999};
    std::uniform_int_distribution<size_t> size_of{10, 40'000};
    std::uniform_int_distribution<int> action{0, 99};
    bool held = true;
    for (int step = 0; step < 20'000; ++step) {
      const auto key = "k:" + std::to_string(key_of(rng)) + "|";
      const int a = action(rng);
      if (a < 70) {
        read(store, key, size_of(rng));
      } else if (a < 85) {
        if (auto f = store.find(key, t0); f && f->entry->body->size() > 1024)
          store.update(key, with_gzip(*f->entry)); // grows in place
      } else if (a < 95) {
        store.erase(key);
      } else {
        store.erase_prefix("k:" + std::to_string(key_of(rng) % 10));
      }
      held = held && store.bytes() <= bound;
    }
    CAF_CHECK(held);
    CAF_CHECK_GREATER(store.evictions(), 0u);
    // An entry larger than the whole bound is not kept, and does not
    // push the others out.
    const auto before = store.entries();
    store.put("huge|", entry(bound * 2), t0 + 1h, t0 + 2h);
    CAF_CHECK(!store.find("huge|", t0));
    CAF_CHECK_EQUAL(store.entries(), before);
  }
}

// Fresh, stale and gone, and prefix removal, are checked for both policies
// in cache_store_test.cpp.
CAF_TEST(a_reload_replaces_the_entry_and_its_times_under_both_policies) {
  for (auto policy : {cache_eviction::lru, cache_eviction::tinylfu}) {
    cache_store store{1 << 20, policy};
    store.put("class:3|", entry(10), t0 + 10s, t0 + 20s);
    store.put("class:3|", entry(20), t0 + 30s, t0 + 40s);
    auto again = store.find("class:3|", t0 + 25s);
    CAF_REQUIRE(again);
    CAF_CHECK(again->fresh);
    CAF_CHECK_EQUAL(again->entry->body->size(), 20u);
    CAF_CHECK_EQUAL(store.entries(), 1u);
    CAF_CHECK_EQUAL(store.erase("class:3|"), 1u);
    CAF_CHECK_EQUAL(store.bytes(), 0u);
  }
}
