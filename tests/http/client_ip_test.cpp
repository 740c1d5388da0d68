// Who the client is: the socket peer, unless a trusted proxy says otherwise
// in X-Forwarded-For; a client cannot choose its own key.
#define CAF_SUITE client_ip
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "http/client_ip.hpp"

using numina::http::client_ip;

namespace {

const std::vector<std::string> none;
const std::vector<std::string> proxies = {"10.0.0.5", "192.168.0.0/16",
                                          "fd00::/8"};

} // namespace

CAF_TEST(without trusted proxies the header is always ignored) {
  CAF_CHECK_EQUAL(client_ip("203.0.113.9", "", none), "203.0.113.9");
  CAF_CHECK_EQUAL(client_ip("203.0.113.9", "1.2.3.4", none), "203.0.113.9");
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "1.2.3.4", none), "10.0.0.5");
}

CAF_TEST(a forged header from an untrusted peer does not change the key) {
  CAF_CHECK_EQUAL(client_ip("203.0.113.9", "1.2.3.4", proxies), "203.0.113.9");
  CAF_CHECK_EQUAL(client_ip("203.0.113.9", "10.0.0.5, 1.2.3.4", proxies),
                  "203.0.113.9");
}

CAF_TEST(a trusted proxy names the client) {
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "198.51.100.7", proxies),
                  "198.51.100.7");
  // No header at all: the proxy itself is the client.
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "", proxies), "10.0.0.5");
}

CAF_TEST(the right most untrusted address wins over what the client wrote) {
  // The client prepended a fake 6.6.6.6; our proxies appended the truth.
  CAF_CHECK_EQUAL(
      client_ip("10.0.0.5", "6.6.6.6, 198.51.100.7, 192.168.3.4", proxies),
      "198.51.100.7");
  // Every hop a proxy of ours: the left-most is the furthest we know.
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "192.168.1.1, 192.168.3.4", proxies),
                  "192.168.1.1");
}

CAF_TEST(cidr ranges and ipv6 proxies are matched) {
  CAF_CHECK_EQUAL(client_ip("192.168.77.1", "198.51.100.7", proxies),
                  "198.51.100.7");
  CAF_CHECK_EQUAL(client_ip("192.169.0.1", "198.51.100.7", proxies),
                  "192.169.0.1");
  CAF_CHECK_EQUAL(client_ip("fd12::1", "2001:db8::7", proxies), "2001:db8::7");
  CAF_CHECK_EQUAL(client_ip("fe80::1", "2001:db8::7", proxies), "fe80::1");
}

CAF_TEST(ports brackets and mapped addresses are normalised) {
  CAF_CHECK_EQUAL(client_ip("::ffff:10.0.0.5", "198.51.100.7:4711", proxies),
                  "198.51.100.7");
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "[2001:db8::7]:443", proxies),
                  "2001:db8::7");
  CAF_CHECK_EQUAL(client_ip("::ffff:203.0.113.9", "", none), "203.0.113.9");
}

CAF_TEST(a malformed entry stops the walk at the hop that sent it) {
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "198.51.100.7, garbage", proxies),
                  "10.0.0.5");
  CAF_CHECK_EQUAL(
      client_ip("10.0.0.5", "198.51.100.7, nonsense, 192.168.3.4", proxies),
      "192.168.3.4");
  // Empty list items are skipped, as proxies sometimes write them.
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "198.51.100.7, , ", proxies),
                  "198.51.100.7");
}

CAF_TEST(malformed trusted entries match nothing) {
  const std::vector<std::string> bad = {"10.0.0.0/33", "not-an-ip",
                                        "10.0.0.5/"};
  CAF_CHECK_EQUAL(client_ip("10.0.0.5", "198.51.100.7", bad), "10.0.0.5");
}
