// The HTTP edge of the real binary (api.md sections 1 and 5): routing
// errors, X-Request-Id, malformed and oversized requests, content types,
// keep-alive, pipelining and the connection timeouts. Each test starts its
// own numina on its own database.
#define CAF_SUITE e2e_edge
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/scratch_db.hpp"

using namespace numina::e2e;

namespace {

constexpr size_t one_mib = 1u << 20;

const header_list json_type{{"Content-Type", "application/json"}};

bool printable(const std::string& s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e)
      return false;
  return true;
}

// A JSON object of exactly `size` bytes (size >= 8).
std::string json_of_size(size_t size) {
  return "{\"a\":\"" + repeat('x', size - 8) + "\"}";
}

struct fixture {
  numina::testing::scratch_db db;
  std::optional<node> numina;
  http_client client;

  // Starts numina with `args` and connects `client` to it.
  void start(std::vector<std::string> args = {}) {
    numina.emplace(db.url(), std::move(args));
    connect_or_fail(client, port());
  }

  uint16_t port() const { return numina->port(); }

  std::optional<http_response> get(const std::string& path,
                                   header_list headers = {}) {
    return client.request("GET", path, headers);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_edge_tests, fixture)

// -- routing ------------------------------------------------------------------

CAF_TEST(an unknown path answers 404 not_found) {
  start();
  auto res = get("/no/such/path");
  CAF_CHECK_EQUAL(error_mismatch(res, 404, "not_found"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a wrong method on a known path answers 405 with Allow GET and HEAD) {
  start();
  auto res = client.request("POST", "/health/live", json_type, "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  CAF_CHECK_EQUAL(header_of(res, "allow"), "GET, HEAD");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(
    HEAD on a GET route answers 200 with the GET content length and no body) {
  start();
  auto got = get("/health/live");
  CAF_REQUIRE_EQUAL(status_of(got), 200);
  // The HEAD and a GET behind it in one write: were a body to follow the
  // HEAD's headers, the GET's response would not parse.
  CAF_REQUIRE(
      client.send_raw(http_client::format_request("HEAD", "/health/live") +
                      http_client::format_request("GET", "/health/live")));
  auto head = client.read_response(5s, true);
  CAF_REQUIRE(head.has_value());
  CAF_CHECK_EQUAL(head->status, 200);
  CAF_CHECK_EQUAL(header_of(head, "content-length"),
                  std::to_string(got->body.size()));
  CAF_CHECK_EQUAL(header_of(head, "content-type"),
                  header_of(got, "content-type"));
  auto after = client.read_response();
  CAF_REQUIRE(after.has_value());
  CAF_CHECK_EQUAL(after->status, 200);
  CAF_CHECK_EQUAL(after->body, got->body);
}

// -- X-Request-Id
// --------------------------------------------------------------

CAF_TEST(a request id sent by the client is echoed) {
  start();
  auto res = get("/health/live", {{"X-Request-Id", "client-id-42"}});
  CAF_CHECK_EQUAL(header_of(res, "x-request-id"), "client-id-42");
}

CAF_TEST(a request id of 128 printable characters is echoed) {
  start();
  std::string id;
  for (size_t i = 0; id.size() < 128; ++i)
    id += static_cast<char>('!' + i % 94); // every printable but space
  auto res = get("/health/live", {{"X-Request-Id", id}});
  CAF_CHECK_EQUAL(header_of(res, "x-request-id"), id);
}

CAF_TEST(a request id is generated and differs between requests when absent) {
  start();
  auto first = get("/health/live");
  auto second = get("/health/live");
  const auto a = header_of(first, "x-request-id");
  const auto b = header_of(second, "x-request-id");
  CAF_CHECK(!a.empty());
  CAF_CHECK(!b.empty());
  CAF_CHECK(a.size() <= 128 && printable(a));
  CAF_CHECK_NOT_EQUAL(a, b);
}

CAF_TEST(a request id of 129 characters is replaced by a generated one) {
  start();
  const std::string id = repeat('a', 129);
  auto res = get("/health/live", {{"X-Request-Id", id}});
  CAF_CHECK_EQUAL(status_of(res), 200);
  const auto got = header_of(res, "x-request-id");
  CAF_CHECK(!got.empty());
  CAF_CHECK(got.size() <= 128);
  CAF_CHECK_NOT_EQUAL(got, id);
}

CAF_TEST(a request id with a control character is replaced by a generated one) {
  start();
  const std::string id = "tab\there"; // HTTP allows a tab in a value
  auto res = get("/health/live", {{"X-Request-Id", id}});
  CAF_CHECK_EQUAL(status_of(res), 200);
  const auto got = header_of(res, "x-request-id");
  CAF_CHECK(!got.empty());
  CAF_CHECK(printable(got));
  CAF_CHECK_NOT_EQUAL(got, id);
}

CAF_TEST(a request id with non ASCII bytes is replaced by a generated one) {
  start();
  const std::string id = "caf\xc3\xa9"; // obs-text: legal HTTP, not printable
  auto res = get("/health/live", {{"X-Request-Id", id}});
  CAF_CHECK_EQUAL(status_of(res), 200);
  const auto got = header_of(res, "x-request-id");
  CAF_CHECK(!got.empty());
  CAF_CHECK(printable(got));
  CAF_CHECK_NOT_EQUAL(got, id);
}

// -- malformed and oversized requests ----------------------------------------

CAF_TEST(a garbage request line answers 400 bad_request and closes) {
  start();
  CAF_REQUIRE(client.send_raw("THIS IS NOT HTTP\r\n\r\n"));
  auto res = client.read_response();
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "bad_request"), "");
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a header line without a colon answers 400 bad_request and closes) {
  start();
  CAF_REQUIRE(client.send_raw("GET /health/live HTTP/1.1\r\nHost: x\r\n"
                              "this line has no colon\r\n\r\n"));
  auto res = client.read_response();
  CAF_CHECK_EQUAL(error_mismatch(res, 400, "bad_request"), "");
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a header section over 16 KiB answers 431 headers_too_large) {
  start();
  CAF_REQUIRE(client.send_raw(http_client::format_request(
      "GET", "/health/live", {{"X-Padding", repeat('p', 17 * 1024)}})));
  auto res = client.read_response();
  CAF_CHECK_EQUAL(error_mismatch(res, 431, "headers_too_large"), "");
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a content length over 1 MiB answers 413 payload_too_large) {
  start();
  // The headers alone: the length is judged before the body is read.
  CAF_REQUIRE(
      client.send_raw("POST /health/live HTTP/1.1\r\nHost: x\r\n"
                      "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(one_mib + 1) + "\r\n\r\n"));
  auto res = client.read_response();
  CAF_CHECK_EQUAL(error_mismatch(res, 413, "payload_too_large"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a body of exactly 1 MiB is not refused as too large) {
  start();
  auto res = client.request("POST", "/health/live", json_type,
                            json_of_size(one_mib), 20s);
  CAF_REQUIRE(res.has_value());
  CAF_CHECK_NOT_EQUAL(res->status, 413);
  // Within the limit, the route is judged next: POST is not allowed there.
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a lowered body limit refuses one byte more with 413) {
  start({"--http.body_limit=1KiB"});
  auto res =
      client.request("POST", "/health/live", json_type, json_of_size(1025));
  CAF_CHECK_EQUAL(error_mismatch(res, 413, "payload_too_large"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a lowered body limit lets a body of exactly the limit through) {
  start({"--http.body_limit=1KiB"});
  auto res =
      client.request("POST", "/health/live", json_type, json_of_size(1024));
  CAF_REQUIRE(res.has_value());
  CAF_CHECK_NOT_EQUAL(res->status, 413);
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
}

CAF_TEST(the body limit is judged before the route) {
  start({"--http.body_limit=1KiB"});
  auto res =
      client.request("POST", "/no/such/path", json_type, json_of_size(2048));
  CAF_CHECK_EQUAL(error_mismatch(res, 413, "payload_too_large"), "");
}

// -- content types
// -------------------------------------------------------------
//
// A body sent to GET /health/live, which reads none, still has its content
// type judged; POST /api/v1/auth/register is a route that reads one (and
// needs no token). The API suites test the rest (e2e_conventions).

CAF_TEST(a POST with a non JSON content type answers 415) {
  start();
  auto res = client.request("POST", "/api/v1/auth/register",
                            {{"Content-Type", "text/plain"}},
                            R"({"email":"a@example.com"})");
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a body with a non JSON content type on an existing route answers 415) {
  start();
  auto res = client.request("GET", "/health/live",
                            {{"Content-Type", "text/plain"}}, "hello");
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(a body without a content type answers 415) {
  start();
  auto res = client.request("GET", "/health/live", {}, "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
}

CAF_TEST(a JSON content type with a charset parameter is accepted) {
  start();
  auto res = client.request(
      "GET", "/health/live",
      {{"Content-Type", "application/json; charset=utf-8"}}, "{}");
  CAF_CHECK_EQUAL(status_of(res), 200);
}

CAF_TEST(a content encoded request body answers 415) {
  start();
  auto res = client.request(
      "GET", "/health/live",
      {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}},
      "{}");
  CAF_CHECK_EQUAL(error_mismatch(res, 415, "unsupported_media_type"), "");
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(the route is judged before the content type) {
  start();
  auto res = client.request("POST", "/health/live",
                            {{"Content-Type", "text/plain"}}, "hello");
  CAF_CHECK_EQUAL(error_mismatch(res, 405, "method_not_allowed"), "");
}

CAF_TEST(authentication is judged before the content type) {
  start();
  auto res = client.request("GET", "/admin/db",
                            {{"Content-Type", "text/plain"}}, "hello");
  CAF_CHECK_EQUAL(error_mismatch(res, 401, "unauthorized"), "");
}

// -- connections
// ---------------------------------------------------------------

CAF_TEST(keep alive serves several requests on one connection) {
  start();
  for (int i = 0; i < 5; ++i) {
    auto res = get("/health/live");
    CAF_REQUIRE_EQUAL(status_of(res), 200);
    CAF_CHECK_NOT_EQUAL(header_of(res, "connection"), "close");
  }
  auto ready = get("/health/ready");
  CAF_CHECK_EQUAL(status_of(ready), 200);
}

CAF_TEST(pipelined requests are answered in order) {
  start();
  // Slow (database) and fast answers mixed: order must not follow speed.
  const std::vector<std::string> paths{"/health/ready", "/health/live",
                                       "/no/such/path", "/health",
                                       "/health/live"};
  const std::vector<int> statuses{200, 200, 404, 200, 200};
  std::string batch;
  for (size_t i = 0; i < paths.size(); ++i)
    batch += http_client::format_request(
        "GET", paths[i], {{"X-Request-Id", "pipelined-" + std::to_string(i)}});
  CAF_REQUIRE(client.send_raw(batch));
  for (size_t i = 0; i < paths.size(); ++i) {
    auto res = client.read_response();
    CAF_REQUIRE(res.has_value());
    CAF_CHECK_EQUAL(header_of(res, "x-request-id"),
                    "pipelined-" + std::to_string(i));
    CAF_CHECK_EQUAL(res->status, statuses[i]);
  }
}

CAF_TEST(a partial header section is cut off after the header timeout) {
  start({"--http.header_timeout=1s"});
  const auto sent = std::chrono::steady_clock::now();
  CAF_REQUIRE(client.send_raw("GET /health/live HTTP/1.1\r\nHost: x\r\n"));
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK_GREATER_OR_EQUAL(elapsed_ms(sent), 800); // not before the timeout
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST(an idle keep alive connection is closed after the idle timeout) {
  start({"--http.idle_timeout=1s"});
  CAF_REQUIRE_EQUAL(status_of(get("/health/live")), 200);
  const auto answered = std::chrono::steady_clock::now();
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK_GREATER_OR_EQUAL(elapsed_ms(answered), 800); // not before it
  CAF_CHECK(answers_a_good_request(port()));
}

CAF_TEST_FIXTURE_SCOPE_END()
