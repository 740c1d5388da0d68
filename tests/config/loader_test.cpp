#define CAF_SUITE config_loader
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "config/loader.hpp"

using namespace numina::config;

namespace {

// A config file in /tmp removed at the end of the test.
struct temp_file {
  explicit temp_file(const std::string& text) {
    char name[] = "/tmp/numina-config-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    path = name;
    std::ofstream{path} << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
  std::string path;
};

} // namespace

CAF_TEST(defaults apply when nothing is given) {
  auto r = load({}, {});
  CAF_REQUIRE(r.ok);
  CAF_CHECK_EQUAL(r.ok->values.http.port, 8080u);
  CAF_CHECK_EQUAL(r.ok->values.http.address, "127.0.0.1");
  CAF_CHECK_EQUAL(r.ok->values.http.header_timeout.count(), 10000);
  CAF_CHECK_EQUAL(r.ok->values.http.body_limit, 1u << 20);
}

CAF_TEST(flags beat the environment which beats the file) {
  temp_file file{"[http]\nport = 7000\nthreads = 3\n# a comment\n"};
  auto r =
      load({"--config=" + file.path, "--http.port=9000"},
           {"NUMINA_HTTP_PORT=8000", "NUMINA_HTTP_THREADS=4", "PATH=/bin"});
  CAF_REQUIRE(r.ok);
  CAF_CHECK_EQUAL(r.ok->values.http.port, 9000u);
  CAF_CHECK_EQUAL(r.ok->values.http.threads, 4u);
  temp_file sectioned{"[database]\npool_max = 5\n"};
  auto s = load({"--config", sectioned.path}, {});
  CAF_REQUIRE(s.ok);
  CAF_CHECK_EQUAL(s.ok->values.database.pool_max, 5u);
}

CAF_TEST(the config file can be named in the environment) {
  temp_file file{"http.port = 7001\n"};
  auto r = load({}, {"NUMINA_CONFIG=" + file.path});
  CAF_REQUIRE(r.ok);
  CAF_CHECK_EQUAL(r.ok->values.http.port, 7001u);
}

CAF_TEST(documented environment names work) {
  auto r = load(
      {}, {"NUMINA_HTTP_PORT=1234", "NUMINA_DATABASE_URL=host=db port=5432",
           "NUMINA_ADMIN_TOKEN=t0ken", "NUMINA_RATE_LIMIT_ENABLED=false"});
  CAF_REQUIRE(r.ok);
  CAF_CHECK_EQUAL(r.ok->values.http.port, 1234u);
  CAF_CHECK_EQUAL(r.ok->values.database.url, "host=db port=5432");
  CAF_CHECK_EQUAL(r.ok->values.admin.token, "t0ken");
  CAF_CHECK_EQUAL(r.ok->values.rate_limit.enabled, false);
}

CAF_TEST(an unknown key is refused and named) {
  auto flag = load({"--http.prot=1"}, {});
  CAF_REQUIRE(flag.error);
  CAF_CHECK_EQUAL(flag.error->key, "http.prot");
  auto env = load({}, {"NUMINA_HTTP_PROT=1"});
  CAF_REQUIRE(env.error);
  CAF_CHECK_EQUAL(env.error->key, "NUMINA_HTTP_PROT");
  temp_file file{"http.prot = 1\n"};
  auto in_file = load({"--config=" + file.path}, {});
  CAF_REQUIRE(in_file.error);
  CAF_CHECK_EQUAL(in_file.error->key, "http.prot");
  CAF_CHECK(in_file.error->source.find("line 1") != std::string::npos);
}

CAF_TEST(a bad value is refused naming the key) {
  auto r = load({}, {"NUMINA_HTTP_PORT=70000"});
  CAF_REQUIRE(r.error);
  CAF_CHECK_EQUAL(r.error->key, "http.port");
  CAF_CHECK_EQUAL(r.error->source, "NUMINA_HTTP_PORT");
  auto d = load({"--http.header_timeout=10"}, {});
  CAF_REQUIRE(d.error);
  CAF_CHECK_EQUAL(d.error->key, "http.header_timeout");
  auto missing = load({"--http.port"}, {});
  CAF_REQUIRE(missing.error);
}

CAF_TEST(the cache eviction policy is lru or tinylfu) {
  auto dflt = load({}, {});
  CAF_REQUIRE(dflt.ok);
  CAF_CHECK(dflt.ok->values.cache.eviction == cache_eviction::tinylfu);
  auto lru = load({"--cache.eviction=lru"}, {});
  CAF_REQUIRE(lru.ok);
  CAF_CHECK(lru.ok->values.cache.eviction == cache_eviction::lru);
  auto env = load({}, {"NUMINA_CACHE_EVICTION=tinylfu"});
  CAF_REQUIRE(env.ok);
  CAF_CHECK(env.ok->values.cache.eviction == cache_eviction::tinylfu);
  CAF_CHECK(render(lru.ok->values).find("cache.eviction = lru") !=
            std::string::npos);
  // main() exits with code 2 on any load error.
  auto bad = load({"--cache.eviction=lfu"}, {});
  CAF_REQUIRE(bad.error);
  CAF_CHECK_EQUAL(bad.error->key, "cache.eviction");
  CAF_CHECK_EQUAL(bad.error->message, "must be lru or tinylfu");
}

CAF_TEST(rules spanning keys are checked) {
  auto r = load({"--database.pool_min=9", "--database.pool_max=4"}, {});
  CAF_REQUIRE(r.error);
  CAF_CHECK_EQUAL(r.error->key, "database.pool_min");
}

CAF_TEST(printing masks secrets) {
  auto r = load({"--admin.token=supersecret",
                 "--database.url=postgresql://app:hunter2@db/numina"},
                {});
  CAF_REQUIRE(r.ok);
  auto text = render(r.ok->values);
  CAF_CHECK(text.find("supersecret") == std::string::npos);
  CAF_CHECK(text.find("hunter2") == std::string::npos);
  CAF_CHECK(text.find("admin.token = ****") != std::string::npos);
  CAF_CHECK(text.find("postgresql://app:****@db/numina") != std::string::npos);
  CAF_CHECK_EQUAL(mask_database_url("host=db password=pw user=u"),
                  "host=db password=**** user=u");
}

CAF_TEST(env names follow the key names) {
  CAF_CHECK_EQUAL(env_name("http.port"), "NUMINA_HTTP_PORT");
  CAF_CHECK_EQUAL(env_name("rate_limit.auth_limit"),
                  "NUMINA_RATE_LIMIT_AUTH_LIMIT");
}
