#include "config/keys.hpp"

#include "config/values.hpp"

namespace numina::config {

namespace {

template <class T> std::optional<std::string> assign(parsed<T> p, T& out) {
  if (auto* reason = std::get_if<std::string>(&p))
    return *reason;
  out = std::get<T>(p);
  return std::nullopt;
}

template <class Field, class Access>
key_spec uint_key(std::string key, std::string doc, Access access, uint64_t min,
                  uint64_t max) {
  return {std::move(key), std::move(doc), false,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            uint64_t n = 0;
            if (auto err = assign(parse_uint(v, min, max), n))
              return err;
            access(s) = static_cast<Field>(n);
            return std::nullopt;
          },
          [=](const settings& s) { return std::to_string(access(s)); }};
}

template <class Access>
key_spec size_key(std::string key, std::string doc, Access access,
                  uint64_t min) {
  return {std::move(key), std::move(doc), false,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            uint64_t n = 0;
            if (auto err = assign(parse_size(v), n))
              return err;
            if (n < min)
              return "must be at least " + format_size(min);
            access(s) = n;
            return std::nullopt;
          },
          [=](const settings& s) { return format_size(access(s)); }};
}

template <class Access>
key_spec duration_key(std::string key, std::string doc, Access access,
                      duration min = duration{1}) {
  return {std::move(key), std::move(doc), false,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            duration d{};
            if (auto err = assign(parse_duration(v), d))
              return err;
            if (d < min)
              return "must be at least " + format_duration(min);
            access(s) = d;
            return std::nullopt;
          },
          [=](const settings& s) { return format_duration(access(s)); }};
}

template <class Access>
key_spec bool_key(std::string key, std::string doc, Access access) {
  return {std::move(key), std::move(doc), false,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            bool b = false;
            if (auto err = assign(parse_bool(v), b))
              return err;
            access(s) = b;
            return std::nullopt;
          },
          [=](const settings& s) {
            return std::string{access(s) ? "true" : "false"};
          }};
}

template <class Access>
key_spec string_key(std::string key, std::string doc, Access access,
                    bool secret = false) {
  return {std::move(key), std::move(doc), secret,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            access(s) = std::string{v};
            return std::nullopt;
          },
          [=](const settings& s) { return access(s); }};
}

template <class Access>
key_spec list_key(std::string key, std::string doc, Access access) {
  return {std::move(key), std::move(doc), false,
          [=](settings& s, std::string_view v) -> std::optional<std::string> {
            access(s) = parse_list(v);
            return std::nullopt;
          },
          [=](const settings& s) {
            std::string out;
            for (auto& item : access(s))
              out += (out.empty() ? "" : ",") + item;
            return out;
          }};
}

key_spec eviction_key() {
  return {"cache.eviction", "what a full cache drops: lru or tinylfu", false,
          [](settings& s, std::string_view v) -> std::optional<std::string> {
            if (v == "lru")
              s.cache.eviction = cache_eviction::lru;
            else if (v == "tinylfu")
              s.cache.eviction = cache_eviction::tinylfu;
            else
              return std::string{"must be lru or tinylfu"};
            return std::nullopt;
          },
          [](const settings& s) {
            return std::string{
                s.cache.eviction == cache_eviction::lru ? "lru" : "tinylfu"};
          }};
}

void add_policy(std::vector<key_spec>& keys, const std::string& name,
                rate_policy rate_limit_settings::*policy) {
  keys.push_back(uint_key<uint32_t>(
      "rate_limit." + name + "_limit",
      "requests allowed per window by the " + name + " policy",
      [=](auto& s) -> auto& { return (s.rate_limit.*policy).limit; }, 1,
      1'000'000'000));
  keys.push_back(duration_key(
      "rate_limit." + name + "_window", "window of the " + name + " policy",
      [=](auto& s) -> auto& { return (s.rate_limit.*policy).window; },
      duration{1000}));
}

std::vector<key_spec> make_keys() {
  std::vector<key_spec> k;
  // http
  k.push_back(string_key(
      "http.address", "listen address",
      [](auto& s) -> auto& { return s.http.address; }));
  k.push_back(uint_key<uint16_t>(
      "http.port", "listen port (0: any free port)",
      [](auto& s) -> auto& { return s.http.port; }, 0, 65535));
  k.push_back(uint_key<unsigned>(
      "http.threads", "Asio threads serving connections",
      [](auto& s) -> auto& { return s.http.threads; }, 1, 256));
  k.push_back(size_key(
      "http.body_limit", "request body limit (inclusive)",
      [](auto& s) -> auto& { return s.http.body_limit; }, 1));
  k.push_back(size_key(
      "http.header_limit", "request header section limit (beyond: 431)",
      [](auto& s) -> auto& { return s.http.header_limit; }, 1024));
  k.push_back(duration_key(
      "http.header_timeout", "time allowed to send a whole header section",
      [](auto& s) -> auto& { return s.http.header_timeout; }));
  k.push_back(duration_key(
      "http.idle_timeout", "keep-alive wait for the next request",
      [](auto& s) -> auto& { return s.http.idle_timeout; }));
  k.push_back(uint_key<uint64_t>(
      "http.max_connections", "open connections at most",
      [](auto& s) -> auto& { return s.http.max_connections; }, 1, 10'000'000));
  k.push_back(duration_key(
      "http.shutdown_grace", "time in-flight requests get on SIGTERM",
      [](auto& s) -> auto& { return s.http.shutdown_grace; }, duration{0}));
  k.push_back(list_key(
      "http.trusted_proxies", "peer IPs whose X-Forwarded-For is believed",
      [](auto& s) -> auto& { return s.http.trusted_proxies; }));
  // actors
  k.push_back(uint_key<unsigned>(
      "actors.threads", "CAF scheduler threads",
      [](auto& s) -> auto& { return s.actors.threads; }, 1, 256));
  // database
  k.push_back(string_key(
      "database.url", "PostgreSQL connection string (URL or key=value)",
      [](auto& s) -> auto& { return s.database.url; }, true));
  k.push_back(uint_key<unsigned>(
      "database.pool_min", "connections kept open at least",
      [](auto& s) -> auto& { return s.database.pool_min; }, 0, 1000));
  k.push_back(uint_key<unsigned>(
      "database.pool_max", "connections open at most",
      [](auto& s) -> auto& { return s.database.pool_max; }, 1, 1000));
  k.push_back(duration_key(
      "database.acquire_timeout", "wait for a free connection before 503",
      [](auto& s) -> auto& { return s.database.acquire_timeout; }));
  k.push_back(duration_key(
      "database.statement_timeout", "server-side limit of one statement",
      [](auto& s) -> auto& { return s.database.statement_timeout; }));
  k.push_back(duration_key(
      "database.reconnect_min", "first delay before reconnecting",
      [](auto& s) -> auto& { return s.database.reconnect_min; }));
  k.push_back(duration_key(
      "database.reconnect_max", "longest delay between reconnect attempts",
      [](auto& s) -> auto& { return s.database.reconnect_max; }));
  k.push_back(duration_key(
      "database.slow_query", "queries slower than this are listed as slow",
      [](auto& s) -> auto& { return s.database.slow_query; }));
  // admin
  k.push_back(string_key(
      "admin.token", "bearer token of the admin endpoints (empty: disabled)",
      [](auto& s) -> auto& { return s.admin.token; }, true));
  k.push_back(bool_key(
      "admin.metrics_public", "serve /metrics without the admin token",
      [](auto& s) -> auto& { return s.admin.metrics_public; }));
  // auth
  k.push_back(uint_key<unsigned>(
      "auth.hash_ops", "argon2id opslimit (passes)",
      [](auto& s) -> auto& { return s.auth.hash_ops; }, 1, 64));
  k.push_back(size_key(
      "auth.hash_memory", "argon2id memlimit",
      [](auto& s) -> auto& { return s.auth.hash_memory; }, 8 << 10));
  k.push_back(uint_key<unsigned>(
      "auth.hash_concurrency", "password hashes computed at once",
      [](auto& s) -> auto& { return s.auth.hash_concurrency; }, 1, 64));
  // cache
  k.push_back(uint_key<unsigned>(
      "cache.shards", "cache-shard actors",
      [](auto& s) -> auto& { return s.cache.shards; }, 1, 1024));
  k.push_back(size_key(
      "cache.max_bytes", "memory bound of the whole cache",
      [](auto& s) -> auto& { return s.cache.max_bytes; }, 1 << 20));
  k.push_back(eviction_key());
  k.push_back(duration_key(
      "cache.ttl_users", "TTL of user profiles",
      [](auto& s) -> auto& { return s.cache.ttl_users; }));
  k.push_back(duration_key(
      "cache.ttl_classes", "TTL of classes and listings",
      [](auto& s) -> auto& { return s.cache.ttl_classes; }));
  k.push_back(duration_key(
      "cache.ttl_matches", "TTL of matches",
      [](auto& s) -> auto& { return s.cache.ttl_matches; }));
  k.push_back(duration_key(
      "cache.ttl_feed", "TTL of feeds",
      [](auto& s) -> auto& { return s.cache.ttl_feed; }));
  k.push_back(duration_key(
      "cache.ttl_reviews", "TTL of reviews and ratings",
      [](auto& s) -> auto& { return s.cache.ttl_reviews; }));
  k.push_back(duration_key(
      "cache.ttl_sessions", "TTL of token lookups",
      [](auto& s) -> auto& { return s.cache.ttl_sessions; }));
  k.push_back(duration_key(
      "cache.ttl_not_found", "TTL of cached 404s",
      [](auto& s) -> auto& { return s.cache.ttl_not_found; }));
  k.push_back(duration_key(
      "cache.stale_grace", "how long past its TTL an entry may be served stale",
      [](auto& s) -> auto& { return s.cache.stale_grace; }, duration{0}));
  // rate limits
  k.push_back(bool_key(
      "rate_limit.enabled", "apply the rate-limit policies",
      [](auto& s) -> auto& { return s.rate_limit.enabled; }));
  add_policy(k, "auth", &rate_limit_settings::auth);
  add_policy(k, "messages", &rate_limit_settings::messages);
  add_policy(k, "activity", &rate_limit_settings::activity);
  add_policy(k, "reviews", &rate_limit_settings::reviews);
  add_policy(k, "default", &rate_limit_settings::fallback);
  // jobs
  k.push_back(duration_key(
      "jobs.ratings_interval", "rating aggregation period",
      [](auto& s) -> auto& { return s.jobs.ratings_interval; }));
  k.push_back(duration_key(
      "jobs.feed_interval", "feed materialisation period",
      [](auto& s) -> auto& { return s.jobs.feed_interval; }));
  k.push_back(duration_key(
      "jobs.notifications_interval", "notification batch period",
      [](auto& s) -> auto& { return s.jobs.notifications_interval; }));
  k.push_back(uint_key<unsigned>(
      "jobs.batch_size", "rows per chunk of a job's batch work",
      [](auto& s) -> auto& { return s.jobs.batch_size; }, 1, 1'000'000));
  return k;
}

} // namespace

const std::vector<key_spec>& all_keys() {
  static const std::vector<key_spec> keys = make_keys();
  return keys;
}

std::optional<std::pair<std::string, std::string>>
check_rules(const settings& s) {
  if (s.database.pool_min > s.database.pool_max)
    return std::make_pair(std::string{"database.pool_min"},
                          "must not exceed database.pool_max (" +
                              std::to_string(s.database.pool_max) + ")");
  if (s.database.reconnect_min > s.database.reconnect_max)
    return std::make_pair(
        std::string{"database.reconnect_min"},
        std::string{"must not exceed database.reconnect_max"});
  if (s.http.address.empty())
    return std::make_pair(std::string{"http.address"},
                          std::string{"must not be empty"});
  return std::nullopt;
}

} // namespace numina::config
