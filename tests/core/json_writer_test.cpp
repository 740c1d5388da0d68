#define CAF_SUITE json_writer
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "core/json_writer.hpp"

using numina::json_writer;

CAF_TEST(objects and arrays get commas between elements only) {
  json_writer w;
  w.begin_object().field("a", 1).key("b").begin_array();
  w.value(int64_t{2}).value("x").null().end_array();
  w.field("c", true).end_object();
  CAF_CHECK_EQUAL(w.str(), R"({"a":1,"b":[2,"x",null],"c":true})");
}

CAF_TEST(strings escape quotes backslashes and control characters) {
  json_writer w;
  w.value(std::string_view{"q\"b\\n\n\t\x01 \xc3\xa9", 11});
  CAF_CHECK_EQUAL(w.str(), "\"q\\\"b\\\\n\\n\\t\\u0001 \xc3\xa9\"");
}

CAF_TEST(large unsigned and negative integers are written exactly) {
  json_writer w;
  w.begin_array().value(uint64_t{18446744073709551615ull});
  w.value(int64_t{-9223372036854775807 - 1}).end_array();
  CAF_CHECK_EQUAL(w.str(), "[18446744073709551615,-9223372036854775808]");
}

CAF_TEST(doubles round trip and non finite become null) {
  json_writer w;
  w.begin_array().value(4.5).value(1.0 / 3.0).value(1.0 / 0.0).end_array();
  CAF_CHECK_EQUAL(w.str(), "[4.5,0.333333333333333,null]");
}

CAF_TEST(raw splices a rendered value as one element) {
  json_writer w;
  w.begin_array().raw(R"({"x":1})").raw("2").end_array();
  CAF_CHECK_EQUAL(w.str(), R"([{"x":1},2])");
}
