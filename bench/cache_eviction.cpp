// LRU against W-TinyLFU on a replay of the API's read mix through the real
// cache_store (actors/cache_store.hpp), at several memory bounds given as a
// share of the working set. Same trace for both policies (fixed seed).
//
//   cache_eviction [--requests N] [--users U] [--classes C] [--seed S]
//                  [--bounds 1,5,10,25] [--writes-per-mille W]
//                  [--crawler-share F]
//
// The mix, one user request per step (docs/benchmarks.md, "Cache eviction:
// LRU vs W-TinyLFU"):
//  - every request first looks up its bearer token (session:<hash>|), the
//    user picked by Zipf(0.9) over the users;
//  - then 35% a class (Zipf 1.0 over the classes; a tenth of them one of
//    the 200 newest classes), 15% a public profile (Zipf 1.0), 15% a page
//    of class listings (Zipf 1.1 over 1,000 queries, 10 classes a page),
//    20% the user's own feed (25 items), 15% a write that is not cached;
//  - every 500 requests a new class appears, and writes (W per mille of the
//    requests) empty the class and all listings, as the handlers do;
//  - in the middle third a crawler adds F (0.3) of the requests: it walks every
//    class once, then every listing page with a cursor (50 classes a page),
//    each key read once: the one-off scan.
// Simulated time advances 2 ms per request, so the handlers' TTLs (sessions
// and feeds 5 min, classes and listings 15 min, profiles 30 min) expire as
// they would at 500 requests per second on a shard.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "actors/cache_store.hpp"

using namespace numina::actors;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  size_t requests = 1'500'000;
  size_t users = 20'000;
  size_t classes = 10'000;
  uint64_t seed = 42;
  std::vector<double> bounds = {1, 5, 10, 25};
  unsigned writes_per_mille = 1;
  double crawler_share = 0.3; // of all requests in the middle third
};

enum class op_kind : uint8_t { read, erase_prefix };

struct op {
  op_kind kind = op_kind::read;
  bool crawler = false;
  bool scan_phase = false;
  uint32_t key = 0;  // index into trace::keys
  uint32_t body = 0; // bytes of the rendered body
  uint32_t ttl_s = 0;
};

struct trace {
  std::vector<std::string> keys;
  std::vector<op> ops;
  std::map<std::string, uint32_t> ids;

  uint32_t id(const std::string& k) {
    auto [i, added] = ids.emplace(k, static_cast<uint32_t>(keys.size()));
    if (added)
      keys.push_back(k);
    return i->second;
  }
};

// Inverse-CDF sampling of Zipf(s) over ranks 0..n-1.
class zipf {
public:
  zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
      cdf_[i] = sum += 1.0 / std::pow(double(i + 1), s);
    for (auto& c : cdf_)
      c /= sum;
  }
  template <class Rng> size_t operator()(Rng& rng) const {
    const double u = std::uniform_real_distribution<double>{0, 1}(rng);
    return std::min<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) -
                                cdf_.begin(),
                            cdf_.size() - 1);
  }

private:
  std::vector<double> cdf_;
};

// A stable pseudo-random size per key, so a reload has the same size.
uint32_t size_of(uint32_t key, uint32_t base, uint32_t spread) {
  uint64_t x = (key + 1) * 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  return base + static_cast<uint32_t>(x % spread);
}

std::string hex64(uint64_t v) {
  char buf[65];
  for (int i = 0; i < 64; ++i)
    buf[i] = "0123456789abcdef"[(v * (i + 7) >> (i % 60)) & 15];
  buf[64] = 0;
  return buf;
}

trace make_trace(const options& o) {
  trace t;
  std::mt19937_64 rng{o.seed};
  std::uniform_real_distribution<double> unit{0, 1};
  const zipf users{o.users, 0.9};
  const zipf profiles{o.users, 1.0};
  const zipf pages{1000, 1.1};
  size_t class_count = o.classes;
  // Popularity ranks map to ids through a fixed permutation, so that the
  // crawler's walk by id is not a walk by popularity.
  std::vector<uint32_t> class_of_rank(o.classes);
  for (uint32_t i = 0; i < o.classes; ++i)
    class_of_rank[i] = i + 1;
  std::shuffle(class_of_rank.begin(), class_of_rank.end(), rng);
  std::vector<uint32_t> user_of_rank(o.users);
  for (uint32_t i = 0; i < o.users; ++i)
    user_of_rank[i] = i + 1;
  std::shuffle(user_of_rank.begin(), user_of_rank.end(), rng);
  const zipf classes{o.classes, 1.0};

  auto read = [&](const std::string& key, uint32_t body, uint32_t ttl_s,
                  bool crawler, bool scan) {
    op x;
    x.key = t.id(key);
    x.body = body;
    x.ttl_s = ttl_s;
    x.crawler = crawler;
    x.scan_phase = scan;
    t.ops.push_back(x);
  };
  auto erase_prefix = [&](const std::string& prefix) {
    op x;
    x.kind = op_kind::erase_prefix;
    x.key = t.id(prefix);
    t.ops.push_back(x);
  };
  auto class_key = [](size_t id) {
    return "class:" + std::to_string(id) + "|";
  };
  auto class_body = [&](const std::string& k) {
    return size_of(t.id(k), 450, 1200);
  };

  size_t crawl_class = 1, crawl_page = 0;
  const size_t scan_from = o.requests / 3, scan_to = 2 * o.requests / 3;
  for (size_t r = 0; r < o.requests; ++r) {
    const bool scan = r >= scan_from && r < scan_to;
    if (scan && unit(rng) < o.crawler_share / (1 - o.crawler_share)) {
      read("session:" + hex64(0xc4a3) + "|", 24, 300, true, scan);
      if (crawl_class <= class_count) {
        auto k = class_key(crawl_class++);
        read(k, class_body(k), 900, true, scan);
      } else {
        auto k = "classes:list|limit=50&cursor=" + std::to_string(crawl_page++);
        read(k, size_of(t.id(k), 30'000, 8'000), 900, true, scan);
      }
    }
    const auto u = user_of_rank[users(rng)];
    read("session:" + hex64(u) + "|", 24, 300, false, scan);
    const double a = unit(rng);
    if (a < 0.35) {
      size_t id =
          unit(rng) < 0.1
              ? class_count - std::min<size_t>(class_count - 1, rng() % 200)
              : class_of_rank[classes(rng)];
      auto k = class_key(id);
      read(k, class_body(k), 900, false, scan);
    } else if (a < 0.50) {
      auto k = "user:" + std::to_string(user_of_rank[profiles(rng)]) + "|";
      read(k, size_of(t.id(k), 200, 300), 1800, false, scan);
    } else if (a < 0.65) {
      auto k = "classes:list|from=2027-01-" + std::to_string(pages(rng)) +
               "&limit=10";
      read(k, size_of(t.id(k), 5'500, 3'000), 900, false, scan);
    } else if (a < 0.85) {
      auto k = "feed:" + std::to_string(u) + "|limit=25";
      read(k, size_of(t.id(k), 3'000, 4'000), 300, false, scan);
    } else if (unit(rng) * 150 < o.writes_per_mille) {
      erase_prefix(class_key(class_of_rank[classes(rng)]));
      erase_prefix("classes:list");
    }
    if (r % 500 == 499) {
      ++class_count;
      erase_prefix("classes:list");
    }
  }
  return t;
}

struct result {
  uint64_t reads = 0, hits = 0, bytes = 0, hit_bytes = 0;
  uint64_t user_scan_reads = 0, user_scan_hits = 0;
  uint64_t gets = 0, puts = 0;
  double get_ns = 0, put_ns = 0;
  size_t peak_bytes = 0;
  uint64_t evictions = 0;
};

// What one pair of steady_clock::now() calls costs, to take off each timed
// call.
double clock_overhead_ns() {
  const int n = 1'000'000;
  auto start = clock_type::now();
  for (int i = 0; i < n; ++i) {
    auto a = clock_type::now();
    auto b = clock_type::now();
    asm volatile("" : : "r"(&a), "r"(&b) : "memory");
  }
  return std::chrono::duration<double, std::nano>(clock_type::now() - start)
             .count() /
         n / 2;
}

result replay(const trace& t, size_t max_bytes, cache_eviction policy,
              double overhead) {
  cache_store store{max_bytes, policy};
  std::map<uint32_t, entry_ptr> by_size; // one entry per body size
  auto entry_of = [&](uint32_t body) {
    auto& e = by_size[body];
    if (!e)
      e = make_entry(rendered{200, std::string(body, 'x'), 0});
    return e;
  };
  result r;
  constexpr auto preempted = 50us;
  clock_type::time_point now{};
  std::chrono::nanoseconds get_time{0}, put_time{0};
  for (auto& o : t.ops) {
    const auto& key = t.keys[o.key];
    if (o.kind == op_kind::erase_prefix) {
      store.erase_prefix(key);
      continue;
    }
    now += 2ms;
    ++r.reads;
    r.bytes += o.body;
    const bool user_scan = o.scan_phase && !o.crawler;
    r.user_scan_reads += user_scan;
    auto g0 = clock_type::now();
    auto found = store.find(key, now);
    auto g1 = clock_type::now();
    // A call that took longer was preempted (the machine is shared).
    if (g1 - g0 < preempted) {
      get_time += g1 - g0;
      ++r.gets;
    }
    if (found && found->fresh) {
      ++r.hits;
      r.hit_bytes += o.body;
      r.user_scan_hits += user_scan;
      continue;
    }
    auto e = entry_of(o.body);
    const auto ttl = std::chrono::seconds(o.ttl_s);
    auto p0 = clock_type::now();
    store.put(key, std::move(e), now + ttl, now + ttl + 10min);
    auto p1 = clock_type::now();
    if (p1 - p0 < preempted) {
      put_time += p1 - p0;
      ++r.puts;
    }
    r.peak_bytes = std::max(r.peak_bytes, store.bytes());
  }
  r.get_ns = std::chrono::duration<double, std::nano>(get_time).count() /
                 double(r.gets) -
             overhead;
  r.put_ns = std::chrono::duration<double, std::nano>(put_time).count() /
                 double(r.puts) -
             overhead;
  r.evictions = store.evictions();
  return r;
}

// ns per frequency_sketch::increment for a table sized for `keys` keys,
// the keys drawn by Zipf(1.0) as hits are: what tinylfu adds to a hit.
double sketch_increment_ns(size_t keys, uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::vector<uint64_t> hashes(keys);
  for (auto& h : hashes) {
    const auto k = "class:" + std::to_string(rng()) + "|";
    h = sketch_hash(k.data(), k.size());
  }
  const zipf pick{keys, 1.0};
  std::vector<uint64_t> order(1 << 22);
  for (auto& h : order)
    h = hashes[pick(rng)];
  frequency_sketch sketch{keys};
  const auto start = clock_type::now();
  for (int round = 0; round < 4; ++round)
    for (auto h : order)
      sketch.increment(h);
  const double ns =
      std::chrono::duration<double, std::nano>(clock_type::now() - start)
          .count();
  asm volatile("" : : "r"(sketch.additions()) : "memory");
  return ns / double(4 * order.size());
}

std::vector<double> parse_list(const char* s) {
  std::vector<double> out;
  for (const char* p = s; *p;) {
    out.push_back(std::strtod(p, const_cast<char**>(&p)));
    if (*p == ',')
      ++p;
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--requests")
      o.requests = std::strtoull(v, nullptr, 10);
    else if (flag == "--users")
      o.users = std::strtoull(v, nullptr, 10);
    else if (flag == "--classes")
      o.classes = std::strtoull(v, nullptr, 10);
    else if (flag == "--seed")
      o.seed = std::strtoull(v, nullptr, 10);
    else if (flag == "--bounds")
      o.bounds = parse_list(v);
    else if (flag == "--crawler-share")
      o.crawler_share = std::strtod(v, nullptr);
    else if (flag == "--writes-per-mille")
      o.writes_per_mille = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  const trace t = make_trace(o);
  const double overhead = clock_overhead_ns();
  // The working set: the most an unbounded store ever holds on this trace.
  const auto unbounded =
      replay(t, size_t{1} << 40, cache_eviction::lru, overhead);
  const size_t working_set = unbounded.peak_bytes;
  std::printf("requests %zu, cache reads %llu, distinct keys %zu, working set "
              "%.1f MiB, unbounded hit rate %.4f, clock overhead %.1f ns\n",
              o.requests, (unsigned long long)unbounded.reads, t.keys.size(),
              working_set / 1048576.0,
              double(unbounded.hits) / double(unbounded.reads), overhead);
  std::printf("| bound | MiB | policy | hit rate | byte hit rate | users' hit "
              "rate during the scan | evictions | ns/get | ns/put |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (double pct : o.bounds) {
    const auto bytes = static_cast<size_t>(working_set * pct / 100);
    for (auto policy : {cache_eviction::lru, cache_eviction::tinylfu}) {
      const auto r = replay(t, bytes, policy, overhead);
      std::printf("| %g%% | %.1f | %s | %.4f | %.4f | %.4f | %llu | %.0f | "
                  "%.0f |\n",
                  pct, bytes / 1048576.0,
                  policy == cache_eviction::lru ? "lru" : "tinylfu",
                  double(r.hits) / double(r.reads),
                  double(r.hit_bytes) / double(r.bytes),
                  double(r.user_scan_hits) / double(r.user_scan_reads),
                  (unsigned long long)r.evictions, r.get_ns, r.put_ns);
      std::fflush(stdout);
    }
  }
  std::printf("\n| keys in the sketch | table KiB | ns/increment |\n");
  std::printf("|---|---|---|\n");
  for (size_t keys : {1'000, 10'000, 100'000, 1'000'000}) {
    const double ns = sketch_increment_ns(keys, o.seed);
    std::printf("| %zu | %zu | %.1f |\n", keys,
                frequency_sketch{keys}.capacity() * 8 / 1024, ns);
  }
}
