// The rate-limit actors alone, without HTTP: how many checks per second the
// edge's path (gateway -> shard -> limiter -> callback) carries, and how
// many bytes a live limiter takes. Uses the production registry and
// limiters (actors/rate_limit_registry.hpp).
//
//   rate_limit_actors [--threads N] [--clients C] [--seconds S] [--keys K]
//
// checks:  C closed-loop clients, each sending its next check when its
//          previous answer arrives (like C keep-alive connections), all on
//          one key of a policy with an unreachable limit, for S seconds;
//          then the same over C keys.
// memory:  K keys, each checked 5 times (a full auth window), against
//          malloc's count of bytes in use (mallinfo2) and VmRSS.
#include <malloc.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "actors/messages.hpp"
#include "actors/rate_limit_registry.hpp"
#include "caf/all.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;

namespace {

struct options {
  size_t threads = 2;
  size_t clients = 64;
  int seconds = 5;
  size_t keys = 100000;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    auto value = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--threads") == 0)
      o.threads = value;
    else if (std::strcmp(argv[i], "--clients") == 0)
      o.clients = value;
    else if (std::strcmp(argv[i], "--seconds") == 0)
      o.seconds = static_cast<int>(value);
    else if (std::strcmp(argv[i], "--keys") == 0)
      o.keys = value;
  }
  return o;
}

long vm_rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct bench {
  std::vector<rate_registry_local> shards;

  void check(rate_policy_id p, std::string key, rate_reply::callback done) {
    rate_check c{p, std::move(key)};
    auto& shard = shards[rate_shard_of(c, shards.size())];
    caf::anon_send(shard, rate_check_atom::value, std::move(c),
                   rate_reply{std::move(done)});
  }
};

// C closed-loop clients over `keys` keys for `seconds`.
void run_checks(bench& b, const options& o, size_t keys) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0}, refused{0}, failed{0};
  std::atomic<size_t> running{o.clients};
  std::mutex m;
  std::condition_variable cv;
  // Each client re-sends from the limiter's thread, as fast as answers come.
  std::function<void(size_t)> next = [&](size_t client) {
    b.check(rate_policy_id::fallback, "user:" + std::to_string(client % keys),
            [&, client](outcome<rate_verdict> v) {
              ++done;
              if (!v)
                ++failed;
              else if (!v.value().allowed)
                ++refused;
              if (stop.load()) {
                if (--running == 0) {
                  std::lock_guard<std::mutex> g{m};
                  cv.notify_all();
                }
                return;
              }
              next(client);
            });
  };
  auto cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  for (size_t c = 0; c < o.clients; ++c)
    next(c);
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  stop = true;
  {
    std::unique_lock<std::mutex> g{m};
    cv.wait(g, [&] { return running.load() == 0; });
  }
  auto secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  auto cpu = cpu_seconds() - cpu0;
  std::printf("checks: %zu clients on %zu key(s): %.0f checks/s, %.2f us CPU "
              "per check (%llu refused, %llu failed)\n",
              o.clients, keys, static_cast<double>(done) / secs,
              cpu * 1e6 / static_cast<double>(done),
              static_cast<unsigned long long>(refused.load()),
              static_cast<unsigned long long>(failed.load()));
}

// K keys, 5 checks each; waits for every answer.
void run_memory(bench& b, const options& o, rate_limit_table& table) {
  malloc_trim(0);
  auto heap0 = mallinfo2().uordblks;
  auto rss0 = vm_rss_kib();
  std::atomic<uint64_t> answered{0};
  const uint64_t total = o.keys * 5;
  for (int round = 0; round < 5; ++round) {
    for (size_t k = 0; k < o.keys; ++k) {
      char ip[32];
      std::snprintf(ip, sizeof ip, "ip:10.%zu.%zu.%zu", (k >> 16) & 255,
                    (k >> 8) & 255, k & 255);
      b.check(rate_policy_id::auth, ip,
              [&](outcome<rate_verdict>) { ++answered; });
    }
    // Bounded in-flight work, as with real clients.
    while (answered.load() < o.keys * static_cast<uint64_t>(round + 1))
      std::this_thread::sleep_for(1ms);
  }
  while (answered.load() < total)
    std::this_thread::sleep_for(1ms);
  auto heap1 = mallinfo2().uordblks;
  auto rss1 = vm_rss_kib();
  auto live = table.snapshot().policies[0].live;
  std::printf("memory: %llu live limiters (5 requests each): heap +%.0f "
              "bytes/limiter (mallinfo2), VmRSS +%.0f bytes/limiter\n",
              static_cast<unsigned long long>(live),
              static_cast<double>(heap1 - heap0) / static_cast<double>(live),
              static_cast<double>(rss1 - rss0) * 1024.0 /
                  static_cast<double>(live));
}

// For comparison: the same windows without an actor per key, as one map
// (what a shard would hold if it owned its keys' windows itself).
void run_memory_without_actors(const options& o) {
  malloc_trim(0);
  auto heap0 = mallinfo2().uordblks;
  {
    std::unordered_map<std::string, rate_window> windows;
    rate_limit lim{5, 10min};
    auto now = rate_window::clock_type::now();
    for (int round = 0; round < 5; ++round)
      for (size_t k = 0; k < o.keys; ++k) {
        char ip[32];
        std::snprintf(ip, sizeof ip, "0ip:10.%zu.%zu.%zu", (k >> 16) & 255,
                      (k >> 8) & 255, k & 255);
        windows[ip].check(lim, now);
      }
    auto heap1 = mallinfo2().uordblks;
    std::printf("reference: the same %zu windows in one map, no actors: heap "
                "+%.0f bytes/key\n",
                windows.size(),
                static_cast<double>(heap1 - heap0) /
                    static_cast<double>(windows.size()));
  }
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  config::rate_limit_settings s;
  s.fallback = {1000000000, 1s}; // never refuses: the cost of the check
  s.auth = {5, 10min};           // stays alive for the memory run
  auto table = std::make_shared<rate_limit_table>(s);
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", o.threads);
  register_message_types(cfg);
  caf::actor_system sys{cfg};
  bench b;
  b.shards = spawn_rate_registry(sys, table, o.threads);
  std::printf("sizeof: rate_window %zu, rate_check %zu\n", sizeof(rate_window),
              sizeof(rate_check));
  run_checks(b, o, 1);
  run_checks(b, o, o.clients);
  run_memory(b, o, *table);
  run_memory_without_actors(o);
  for (auto& shard : b.shards)
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  b.shards.clear();
}
