// Request bodies: every malformed input is a 400 naming what was wrong,
// never a crash.
#define CAF_SUITE json_body
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "http/json_body.hpp"

using namespace numina;
using namespace numina::http;

namespace {

error_code code_of(const std::string& body) {
  auto r = parse_json_object(body);
  return r ? error_code::none : r.error().code;
}

} // namespace

CAF_TEST(a plain object parses into members) {
  auto r = parse_json_object(R"({"a":1,"b":"x","c":[1,2],"d":null})");
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(r.value().members.size(), 4u);
  CAF_CHECK_EQUAL(r.value().find("a")->integer, 1);
  CAF_CHECK_EQUAL(r.value().find("b")->text, "x");
  CAF_CHECK(r.value().find("z") == nullptr);
}

CAF_TEST(malformed json is invalid_json) {
  for (std::string bad :
       {"", "{", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":tru}", "[1]", "1",
        "\"s\"", "null", "{\"a\":\"\t\"}", "{\"a\":\"\\ud800\"}"})
    CAF_CHECK(code_of(bad) == error_code::invalid_json);
}

CAF_TEST(invalid utf8 nul bytes and duplicate keys are refused) {
  CAF_CHECK(code_of("{\"a\":\"\xff\"}") == error_code::invalid_json);
  CAF_CHECK(code_of("{\"a\":\"\xc0\xaf\"}") == error_code::invalid_json);
  CAF_CHECK(code_of(R"({"a":"x\u0000y"})") == error_code::invalid_json);
  CAF_CHECK(code_of(R"({"a\u0000":1})") == error_code::invalid_json);
  CAF_CHECK(code_of(R"({"a":1,"a":2})") == error_code::invalid_json);
  CAF_CHECK(code_of(R"({"o":{"k":1,"k":1}})") == error_code::invalid_json);
  CAF_CHECK(code_of(std::string{"{\"a\":1}\0", 8}) == error_code::invalid_json);
}

CAF_TEST(deep nesting is refused without a crash) {
  std::string deep(10000, '[');
  CAF_CHECK(code_of("{\"a\":" + deep + "}") == error_code::invalid_json);
  std::string fine =
      "{\"a\":" + std::string(10, '[') + std::string(10, ']') + "}";
  CAF_CHECK(code_of(fine) == error_code::none);
}

CAF_TEST(integers beyond 64 bits are refused naming their field) {
  for (std::string big : {"18446744073709551616", "-9223372036854775809",
                          "99999999999999999999999"}) {
    auto r = parse_json_object(R"({"a":"x","n":)" + big + "}");
    CAF_REQUIRE(!r.ok());
    CAF_CHECK(r.error().code == error_code::validation_failed);
    CAF_CHECK_EQUAL(r.error().field, "n");
  }
  // Not integers, or malformed: plain invalid JSON.
  CAF_CHECK(code_of(R"({"n":1e400})") == error_code::invalid_json);
  CAF_CHECK(code_of(R"({"n":00000000000000000000001})") ==
            error_code::invalid_json);
  CAF_CHECK(code_of(R"({"o":{"n":18446744073709551616}})") ==
            error_code::invalid_json);
}

CAF_TEST(big unsigned integers keep their value in the canonical form) {
  auto a = parse_json_object(R"({"n":18446744073709551615})");
  auto b = parse_json_object(R"({"n":18446744073709551614})");
  CAF_REQUIRE(a.ok() && b.ok());
  CAF_CHECK(canonical_json(a.value()) != canonical_json(b.value()));
}

CAF_TEST(reader refuses unknown fields naming them) {
  auto obj = parse_json_object(R"({"title":"x","colour":"red"})");
  CAF_REQUIRE(obj.ok());
  body_reader r{obj.value(), {"title"}};
  CAF_REQUIRE(r.error);
  CAF_CHECK_EQUAL(r.error->field, "colour");
  CAF_CHECK(r.error->code == error_code::validation_failed);
}

CAF_TEST(reader checks string lengths in code points) {
  // "é" is two bytes, one code point.
  auto obj = parse_json_object("{\"name\":\"\xc3\xa9\xc3\xa9\"}");
  CAF_REQUIRE(obj.ok());
  body_reader ok{obj.value(), {"name"}};
  auto name = ok.text("name", 1, 2, true);
  CAF_REQUIRE(name);
  CAF_CHECK_EQUAL(*name, "\xc3\xa9\xc3\xa9");
  CAF_CHECK(!ok.error);
  body_reader too_long{obj.value(), {"name"}};
  CAF_CHECK(!too_long.text("name", 1, 1, true));
  CAF_REQUIRE(too_long.error);
  CAF_CHECK_EQUAL(too_long.error->field, "name");
}

CAF_TEST(reader names missing and wrongly typed fields) {
  auto obj = parse_json_object(R"({"title":5})");
  CAF_REQUIRE(obj.ok());
  body_reader missing{obj.value(), {"title", "capacity"}};
  missing.integer("capacity", 1, 10, true);
  CAF_REQUIRE(missing.error);
  CAF_CHECK_EQUAL(missing.error->field, "capacity");
  body_reader typed{obj.value(), {"title"}};
  typed.text("title", 1, 10, true);
  CAF_REQUIRE(typed.error);
  CAF_CHECK_EQUAL(typed.error->field, "title");
}

CAF_TEST(reader refuses fractions and out of range integers) {
  for (std::string v : {"100.0", "2.5", "1e2", "\"20\"", "true",
                        "9223372036854775808", "0", "10001"}) {
    auto obj = parse_json_object("{\"capacity\":" + v + "}");
    CAF_REQUIRE(obj.ok());
    body_reader r{obj.value(), {"capacity"}};
    CAF_CHECK(!r.integer("capacity", 1, 10000, true));
    CAF_REQUIRE(r.error);
    CAF_CHECK_EQUAL(r.error->field, "capacity");
  }
  auto obj = parse_json_object(R"({"capacity":10000})");
  body_reader r{obj.value(), {"capacity"}};
  auto capacity = r.integer("capacity", 1, 10000, true);
  CAF_REQUIRE(capacity);
  CAF_CHECK_EQUAL(*capacity, 10000);
}

CAF_TEST(reader reads id arrays) {
  auto obj = parse_json_object(R"({"ids":[1,2,3],"bad":[1,-2]})");
  CAF_REQUIRE(obj.ok());
  body_reader r{obj.value(), {"ids", "bad"}};
  auto ids = r.ids("ids", 100, true);
  CAF_REQUIRE(ids);
  CAF_CHECK_EQUAL(ids->size(), 3u);
  CAF_CHECK(!r.ids("bad", 100, true));
  CAF_REQUIRE(r.error);
  CAF_CHECK_EQUAL(r.error->field, "bad");
}
