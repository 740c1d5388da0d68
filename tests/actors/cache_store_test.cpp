#define CAF_SUITE cache_store
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actors/cache_store.hpp"
#include "core/gzip.hpp"

using namespace numina::actors;
using namespace std::chrono_literals;

namespace {
entry_ptr entry(std::string body) {
  return make_entry(rendered{200, std::move(body), 0});
}
} // namespace

// Expiry and invalidation do not depend on the eviction policy.
constexpr cache_eviction policies[] = {cache_eviction::lru,
                                       cache_eviction::tinylfu};

CAF_TEST(fresh_then_stale_then_gone) {
  for (auto policy : policies) {
    cache_store store{1 << 20, policy};
    cache_store::time_point t0{};
    store.put("k|", entry("v"), t0 + 10s, t0 + 20s);
    auto a = store.find("k|", t0 + 9s);
    CAF_REQUIRE(a);
    CAF_CHECK(a->fresh);
    auto b = store.find("k|", t0 + 10s);
    CAF_REQUIRE(b);
    CAF_CHECK(!b->fresh);
    CAF_CHECK(!store.find("k|", t0 + 20s));
    CAF_CHECK_EQUAL(store.entries(), 0u);
    CAF_CHECK_EQUAL(store.bytes(), 0u);
  }
}

CAF_TEST(prefix_erase_takes_exactly_the_prefixed_keys) {
  for (auto policy : policies) {
    cache_store store{1 << 20, policy};
    cache_store::time_point t0{};
    for (auto k : {"class:1|", "class:1|f=id", "class:10|", "class:2|"})
      store.put(k, entry("v"), t0 + 10s, t0 + 20s);
    CAF_CHECK_EQUAL(store.erase_prefix("class:1|"), 2u);
    CAF_CHECK_EQUAL(store.entries(), 2u);
    CAF_CHECK_EQUAL(store.erase("class:10|"), 1u);
    CAF_CHECK_EQUAL(store.erase("class:10|"), 0u);
  }
}

CAF_TEST(etags_differ_per_body_and_per_representation) {
  auto a = entry("{\"a\":1}");
  auto b = entry("{\"a\":2}");
  CAF_CHECK(a->etag != b->etag);
  CAF_CHECK_EQUAL(a->etag.front(), '"');
  auto big = entry(std::string(5000, 'z'));
  auto gz = with_gzip(*big);
  CAF_CHECK(gz->gzip_etag != gz->etag);
  CAF_CHECK_EQUAL(numina::gunzip(*gz->gzip), *big->body);
  CAF_CHECK_EQUAL(gz->body.get(), big->body.get()); // shared, not copied
}
