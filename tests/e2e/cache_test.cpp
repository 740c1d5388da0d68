// The in-process cache and HTTP caching, end to end (issue: cache shards):
// validators and 304s, a write visible at the very next read (also in
// lists), gzip, the admin view, and reads that survive PostgreSQL going
// away.
#define CAF_SUITE e2e_cache
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <thread>

#include "core/gzip.hpp"
#include "tests/e2e/api_support.hpp"
#include "tests/support/pg_server.hpp"

using namespace numina::e2e;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view admin = "e2e-admin-token";

// Headers by name ("" when absent or when there was no response).
std::string header(const std::optional<http_response>& res,
                   std::string_view name) {
  return header_of(res, name);
}

struct fixture : api_fixture {
  account provider = api.register_user("Provider");

  int64_t new_class() { return api.create_class(provider, class_body(10)); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_cache_tests, fixture)

CAF_TEST(a matching If - None - Match gets 304 without a body) {
  auto id = new_class();
  auto first = api.get(class_path(id), provider.token);
  CAF_REQUIRE_EQUAL(status_of(first), 200);
  auto etag = header(first, "etag");
  CAF_CHECK(etag.size() > 2 && etag.front() == '"');
  CAF_CHECK_EQUAL(header(first, "cache-control"), "public, max-age=900");
  CAF_CHECK_EQUAL(header(first, "vary"), "Accept-Encoding");
  auto again = api.send("GET", class_path(id), provider.token, {},
                        {{"If-None-Match", etag}});
  CAF_CHECK_EQUAL(status_of(again), 304);
  CAF_CHECK(again && again->body.empty());
  CAF_CHECK_EQUAL(header(again, "etag"), etag);
  auto other = api.send("GET", class_path(id), provider.token, {},
                        {{"If-None-Match", "\"not-it\""}});
  CAF_CHECK_EQUAL(status_of(other), 200);
}

CAF_TEST(last modified and if modified since) {
  auto id = new_class();
  auto first = api.get(class_path(id), provider.token);
  CAF_REQUIRE_EQUAL(status_of(first), 200);
  auto lm = header(first, "last-modified");
  CAF_CHECK(lm.size() == 29 && lm.substr(25) == " GMT");
  auto same = api.send("GET", class_path(id), provider.token, {},
                       {{"If-Modified-Since", lm}});
  CAF_CHECK_EQUAL(status_of(same), 304);
  auto older =
      api.send("GET", class_path(id), provider.token, {},
               {{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}});
  CAF_CHECK_EQUAL(status_of(older), 200);
  // If-None-Match wins over If-Modified-Since.
  auto both =
      api.send("GET", class_path(id), provider.token, {},
               {{"If-None-Match", "\"not-it\""}, {"If-Modified-Since", lm}});
  CAF_CHECK_EQUAL(status_of(both), 200);
}

CAF_TEST(a patch is visible at once with a new etag also in lists) {
  auto id = new_class();
  auto list_path =
      "/api/v1/classes?provider_id=" + std::to_string(provider.id) +
      "&limit=50";
  auto before = api.get(class_path(id), provider.token);
  auto list_before = api.get(list_path, provider.token);
  CAF_REQUIRE_EQUAL(status_of(before), 200);
  CAF_REQUIRE_EQUAL(status_of(list_before), 200);
  auto patched =
      api.patch(class_path(id), provider.token, R"({"title":"Renamed"})");
  CAF_REQUIRE_EQUAL(status_of(patched), 200);
  auto after = api.get(class_path(id), provider.token);
  CAF_CHECK_EQUAL(body_of(after)["title"].text(), "Renamed");
  CAF_CHECK(header(after, "etag") != header(before, "etag"));
  auto list_after = api.get(list_path, provider.token);
  CAF_CHECK(list_after &&
            list_after->body.find("Renamed") != std::string::npos);
  CAF_CHECK(header(list_after, "etag") != header(list_before, "etag"));
  // The old validator no longer matches.
  auto stale = api.send("GET", class_path(id), provider.token, {},
                        {{"If-None-Match", header(before, "etag")}});
  CAF_CHECK_EQUAL(status_of(stale), 200);
}

CAF_TEST(a booking shows in the cached class at once) {
  auto id = new_class();
  CAF_CHECK_EQUAL(
      api.get_json(class_path(id), provider.token)["booked"].integer(), 0);
  auto member = api.register_user("Member");
  api.book(member, id);
  auto cls = api.get_json(class_path(id), provider.token);
  CAF_CHECK_EQUAL(cls["booked"].integer(), 1);
  CAF_CHECK_EQUAL(cls["spots_left"].integer(), 9);
}

CAF_TEST(a large list is gzipped for clients that accept it) {
  for (int i = 0; i < 12; ++i)
    new_class();
  auto path = "/api/v1/classes?provider_id=" + std::to_string(provider.id) +
              "&limit=12";
  auto plain = api.get(path, provider.token);
  CAF_REQUIRE_EQUAL(status_of(plain), 200);
  CAF_CHECK(plain->body.size() > 1024);
  CAF_CHECK_EQUAL(header(plain, "content-encoding"), "");
  auto gz = api.send("GET", path, provider.token, {},
                     {{"Accept-Encoding", "br, gzip"}});
  CAF_REQUIRE_EQUAL(status_of(gz), 200);
  CAF_CHECK_EQUAL(header(gz, "content-encoding"), "gzip");
  CAF_CHECK_EQUAL(header(gz, "vary"), "Accept-Encoding");
  CAF_CHECK(gz->body.size() < plain->body.size());
  CAF_CHECK_EQUAL(numina::gunzip(gz->body), plain->body);
  CAF_CHECK(header(gz, "etag") != header(plain, "etag"));
  auto refused = api.send("GET", path, provider.token, {},
                          {{"Accept-Encoding", "gzip;q=0"}});
  CAF_CHECK_EQUAL(header(refused, "content-encoding"), "");
  // The gzip representation validates against its own tag only.
  auto revalidated = api.send(
      "GET", path, provider.token, {},
      {{"Accept-Encoding", "gzip"}, {"If-None-Match", header(gz, "etag")}});
  CAF_CHECK_EQUAL(status_of(revalidated), 304);
}

CAF_TEST(a small body is not gzipped) {
  auto id = new_class();
  auto res = api.send("GET", class_path(id) + "?fields=id", provider.token, {},
                      {{"Accept-Encoding", "gzip"}});
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK_EQUAL(header(res, "content-encoding"), "");
  CAF_CHECK_EQUAL(header(res, "vary"), "Accept-Encoding");
}

CAF_TEST(uncached gets carry validators too) {
  auto res = api.get("/api/v1/users/me", provider.token);
  CAF_REQUIRE_EQUAL(status_of(res), 200);
  CAF_CHECK(!header(res, "etag").empty());
  CAF_CHECK_EQUAL(header(res, "cache-control"), "private, no-cache");
  auto again = api.send("GET", "/api/v1/users/me", provider.token, {},
                        {{"If-None-Match", header(res, "etag")}});
  CAF_CHECK_EQUAL(status_of(again), 304);
}

CAF_TEST(head on a cached class has the get headers and no body) {
  auto id = new_class();
  auto get = api.get(class_path(id), provider.token);
  auto head = api.send("HEAD", class_path(id), provider.token);
  CAF_REQUIRE_EQUAL(status_of(head), 200);
  CAF_CHECK(head->body.empty());
  CAF_CHECK_EQUAL(header(head, "etag"), header(get, "etag"));
  CAF_CHECK_EQUAL(header(head, "content-length"),
                  std::to_string(get->body.size()));
}

CAF_TEST(a profile change is visible at once) {
  auto before = api.get_json(user_path(provider.id), provider.token);
  CAF_CHECK_EQUAL(before["bio"].text(), "");
  api.patch("/api/v1/users/me", provider.token, R"({"bio":"Runner"})");
  auto after = api.get_json(user_path(provider.id), provider.token);
  CAF_CHECK_EQUAL(after["bio"].text(), "Runner");
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

// numina with an admin token, short class TTLs and a cluster the test can
// stop: the degraded-database behaviour.
struct degraded_fixture {
  numina::testing::pg_server pg;
  node numina{pg.url(),
              [] {
                auto args = api_args();
                args.push_back("--cache.ttl_classes=1s");
                args.push_back("--database.acquire_timeout=1s");
                return args;
              }(),
              {{"NUMINA_ADMIN_TOKEN", std::string{admin}}}};
  api_client api{numina.port()};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_cache_degraded_tests, degraded_fixture)

CAF_TEST(cached reads survive the database going away and writes return ) {
  auto provider = api.register_user("Provider");
  auto cached = api.create_class(provider, class_body(5));
  auto uncached = api.create_class(provider, class_body(5));
  CAF_REQUIRE_EQUAL(status_of(api.get(class_path(cached), provider.token)),
                    200);
  pg.stop();
  std::this_thread::sleep_for(1100ms); // past the 1 s TTL
  auto stale = api.get(class_path(cached), provider.token);
  CAF_CHECK_EQUAL(status_of(stale), 200);
  CAF_CHECK_EQUAL(header(stale, "warning"), "110 - \"Response is Stale\"");
  auto start = std::chrono::steady_clock::now();
  auto missing = api.get(class_path(uncached), provider.token);
  CAF_CHECK_EQUAL(error_mismatch(missing, 503, "unavailable"), "");
  CAF_CHECK(!header(missing, "retry-after").empty());
  CAF_CHECK_LESS(elapsed_ms(start), 3000);
  pg.start();
  // Writes work again once a worker has reconnected (backoff <= 2 s).
  int status = 0;
  for (int i = 0; i < 50 && status != 201; ++i) {
    status = status_of(
        api.post("/api/v1/classes", provider.token, class_body(5).str()));
    if (status != 201)
      std::this_thread::sleep_for(200ms);
  }
  CAF_CHECK_EQUAL(status, 201);
  auto fresh = api.get(class_path(cached), provider.token);
  CAF_CHECK_EQUAL(status_of(fresh), 200);
  CAF_CHECK_EQUAL(header(fresh, "warning"), "");
}

CAF_TEST(the admin view counts hits and invalidates by prefix) {
  auto provider = api.register_user("Provider");
  auto id = api.create_class(provider, class_body(5));
  for (int i = 0; i < 4; ++i)
    api.get(class_path(id), provider.token);
  http_client client;
  connect_or_fail(client, numina.port());
  const header_list auth{{"Authorization", "Bearer " + std::string{admin}}};
  auto stats = client.request("GET", "/admin/cache", auth);
  CAF_REQUIRE_EQUAL(status_of(stats), 200);
  CAF_CHECK_EQUAL(header(stats, "cache-control"), "no-store");
  auto doc = json_value::parse(stats->body);
  CAF_CHECK(doc["hits"].integer() >= 3);
  CAF_CHECK(doc["hit_rate"].number() > 0.0);
  CAF_CHECK(doc["shards"].size() >= 1u);
  auto removed = client.request("DELETE", "/admin/cache?prefix=class:", auth);
  CAF_REQUIRE_EQUAL(status_of(removed), 200);
  CAF_CHECK(json_value::parse(removed->body)["removed"].integer() >= 1);
  auto refused = client.request("GET", "/admin/cache");
  CAF_CHECK_EQUAL(error_mismatch(refused, 401, "unauthorized"), "");
}

CAF_TEST(one field selection in any order is one cache entry) {
  auto provider = api.register_user("Provider");
  auto id = api.create_class(provider, class_body(5));
  auto a = api.get(class_path(id) + "?fields=title,id", provider.token);
  auto b = api.get(class_path(id) + "?fields=id,title,id", provider.token);
  CAF_REQUIRE_EQUAL(status_of(a), 200);
  CAF_REQUIRE_EQUAL(status_of(b), 200);
  CAF_CHECK_EQUAL(a->body, b->body);
  CAF_CHECK_EQUAL(header(a, "etag"), header(b, "etag"));
  CAF_CHECK_EQUAL(json_value::parse(a->body).size(), 2u);
  http_client client;
  connect_or_fail(client, numina.port());
  const header_list auth{{"Authorization", "Bearer " + std::string{admin}}};
  auto removed = client.request(
      "DELETE", "/admin/cache?prefix=class:" + std::to_string(id) + "|", auth);
  CAF_REQUIRE_EQUAL(status_of(removed), 200);
  CAF_CHECK_EQUAL(json_value::parse(removed->body)["removed"].integer(), 1);
  // A selection naming an unknown field is still refused, in any order.
  auto bad = api.get(class_path(id) + "?fields=id,nope", provider.token);
  CAF_CHECK_EQUAL(error_mismatch(bad, 400, "validation_failed"), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
