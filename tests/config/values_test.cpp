#define CAF_SUITE config_values
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "config/values.hpp"

using namespace numina::config;

namespace {
template <class T> bool refused(const parsed<T>& p) {
  return std::holds_alternative<std::string>(p);
}

// By value: the checks must not hold a reference into a temporary.
template <class T> T value_of(const parsed<T>& p) {
  return std::get<T>(p);
}

int64_t ms(const parsed<duration>& p) {
  return value_of(p).count();
}
} // namespace

CAF_TEST(durations need a unit) {
  CAF_CHECK_EQUAL(ms(parse_duration("250ms")), 250);
  CAF_CHECK_EQUAL(ms(parse_duration("10s")), 10000);
  CAF_CHECK_EQUAL(ms(parse_duration("5m")), 300000);
  CAF_CHECK_EQUAL(ms(parse_duration("1h")), 3600000);
  CAF_CHECK_EQUAL(ms(parse_duration("0")), 0);
  CAF_CHECK(refused(parse_duration("10")));
  CAF_CHECK(refused(parse_duration("10 seconds")));
  CAF_CHECK(refused(parse_duration("-1s")));
  CAF_CHECK(refused(parse_duration("99999999999999999999h")));
}

CAF_TEST(sizes take binary units) {
  CAF_CHECK_EQUAL(value_of(parse_size("1024")), 1024u);
  CAF_CHECK_EQUAL(value_of(parse_size("16KiB")), 16384u);
  CAF_CHECK_EQUAL(value_of(parse_size("1MiB")), 1048576u);
  CAF_CHECK(refused(parse_size("1MB")));
  CAF_CHECK(refused(parse_size("x")));
  CAF_CHECK(refused(parse_size("18446744073709551615GiB")));
}

CAF_TEST(integers are checked against their range) {
  CAF_CHECK_EQUAL(value_of(parse_uint("8080", 0, 65535)), 8080u);
  CAF_CHECK(refused(parse_uint("65536", 0, 65535)));
  CAF_CHECK(refused(parse_uint("80a", 0, 65535)));
  CAF_CHECK(refused(parse_uint("", 0, 65535)));
}

CAF_TEST(booleans and lists) {
  CAF_CHECK_EQUAL(value_of(parse_bool("false")), false);
  CAF_CHECK_EQUAL(value_of(parse_bool("on")), true);
  CAF_CHECK(refused(parse_bool("maybe")));
  auto list = parse_list(" 10.0.0.1, ,127.0.0.1 ");
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  CAF_CHECK_EQUAL(list[1], "127.0.0.1");
}
