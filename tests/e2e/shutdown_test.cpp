// The graceful stop of the real binary on SIGTERM (caf-0.17.md section 14,
// http/server.hpp): no new connections, idle ones closed, a request in
// flight answered with `Connection: close`, exit code 0; what is still
// unfinished when the grace period ends is cut off.
#define CAF_SUITE e2e_shutdown
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/scratch_db.hpp"

using namespace numina::e2e;

namespace {

// A request of 100 body bytes, cut after half of its body.
const std::string body = "{\"padding\":\"" + repeat('x', 86) + "\"}";
const std::string head_and_half =
    "POST /health/live HTTP/1.1\r\nHost: x\r\n"
    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" +
    body.substr(0, 50);
const std::string other_half = body.substr(50);

// Whether new connections to `port` are refused (the listener is closed)
// within `timeout`: a bounded loop of short tries.
bool await_refusing_connections(uint16_t port,
                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    http_client probe;
    if (!probe.connect(port))
      return true;
    if (std::chrono::steady_clock::now() + 20ms >= deadline)
      return false;
    std::this_thread::sleep_for(20ms);
  }
}

struct fixture {
  numina::testing::scratch_db db;
  std::optional<node> numina;
  http_client client;

  void start(std::vector<std::string> args = {"--http.shutdown_grace=5s"}) {
    numina.emplace(db.url(), std::move(args));
    connect_or_fail(client, numina->port());
  }

  uint16_t port() const { return numina->port(); }

  // Sends the headers and half the body, then SIGTERM, and waits until
  // numina has taken the signal (its listener is closed).
  void start_request_then_sigterm() {
    CAF_REQUIRE(client.send_raw(head_and_half));
    numina->process().signal(SIGTERM);
    // When the listener never closes, the other half goes after 2 s all
    // the same, and the test on new connections names the problem.
    static_cast<void>(await_refusing_connections(port(), 2s));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(e2e_shutdown_tests, fixture)

CAF_TEST(
    a request in flight at sigterm is answered in full with Connection close) {
  start();
  start_request_then_sigterm();
  CAF_REQUIRE(client.send_raw(other_half));
  auto res = client.read_response(5s);
  if (!res)
    CAF_FAIL("no answer: " << client.last_error());
  // Any status will do (POST is not allowed there): it was answered.
  CAF_CHECK_EQUAL(res->status, 405);
  CAF_CHECK_EQUAL(header_of(res, "connection"), "close");
  CAF_CHECK(client.closed_by_peer(3s));
}

CAF_TEST(numina exits with code 0 once the request in flight is answered) {
  start();
  start_request_then_sigterm();
  CAF_REQUIRE(client.send_raw(other_half));
  CAF_CHECK_EQUAL(status_of(client.read_response(5s)), 405);
  // Within the grace period of 5 s.
  auto code = numina->process().wait_exit(5s);
  CAF_REQUIRE(code.has_value());
  CAF_CHECK_EQUAL(*code, 0);
}

CAF_TEST(a new connection after sigterm is refused or
         closed without an answer) {
  start();
  start_request_then_sigterm();
  http_client late;
  if (late.connect(port())) {
    const bool sent =
        late.send_raw(http_client::format_request("GET", "/health/live"), 1s);
    // A send may already fail on a reset connection: that is a refusal.
    if (sent) {
      CAF_CHECK(late.closed_by_peer(3s));
      CAF_CHECK_EQUAL(late.buffered(), 0u);
    }
  }
  CAF_REQUIRE(client.send_raw(other_half));
  CAF_CHECK_EQUAL(status_of(client.read_response(5s)), 405);
}

CAF_TEST(an idle keep alive connection is closed at sigterm) {
  start();
  CAF_REQUIRE_EQUAL(status_of(client.request("GET", "/health/live")), 200);
  numina->process().signal(SIGTERM);
  CAF_CHECK(client.closed_by_peer(3s));
  CAF_CHECK_EQUAL(client.buffered(), 0u);
  auto code = numina->process().wait_exit(5s);
  CAF_REQUIRE(code.has_value());
  CAF_CHECK_EQUAL(*code, 0);
}

CAF_TEST(a request unfinished when the grace period ends is cut off) {
  start({"--http.shutdown_grace=1s"});
  start_request_then_sigterm();
  const auto stopped = std::chrono::steady_clock::now();
  // The other half never comes.
  CAF_CHECK(client.closed_by_peer(4s));
  CAF_CHECK_LESS(elapsed_ms(stopped), 3000);
  auto code = numina->process().wait_exit(5s);
  CAF_REQUIRE(code.has_value());
  CAF_CHECK_EQUAL(*code, 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
