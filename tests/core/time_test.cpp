#define CAF_SUITE time
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "core/time.hpp"

using namespace numina;

CAF_TEST(format writes utc with z and whole seconds) {
  CAF_CHECK_EQUAL(format_rfc3339(0), "1970-01-01T00:00:00Z");
  CAF_CHECK_EQUAL(format_rfc3339(1795417200), "2026-11-23T07:00:00Z");
  CAF_CHECK_EQUAL(format_rfc3339(951782400), "2000-02-29T00:00:00Z");
}

CAF_TEST(parse accepts z offsets and fractions and normalises to utc) {
  CAF_CHECK_EQUAL(parse_rfc3339("2026-11-23T07:00:00Z"), 1795417200);
  CAF_CHECK_EQUAL(parse_rfc3339("2026-11-23T08:30:00+01:30"), 1795417200);
  CAF_CHECK_EQUAL(parse_rfc3339("2026-11-23T02:00:00-05:00"), 1795417200);
  CAF_CHECK_EQUAL(parse_rfc3339("2026-11-23T07:00:00.999Z"), 1795417200);
  CAF_CHECK_EQUAL(parse_rfc3339("2026-11-23t07:00:00z"), 1795417200);
}

CAF_TEST(parse refuses malformed and impossible dates) {
  for (auto bad :
       {"", "2026-11-23", "2026-11-23T07:00:00", "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T07:00:60Z",
        "2026-11-23T07:00:00+25:00", "2026-11-23T07:00:00.Z",
        "2026-11-23T07:00:00Zjunk", " 2026-11-23T07:00:00Z",
        "0000-01-01T00:00:00Z"})
    CAF_CHECK(!parse_rfc3339(bad));
  CAF_CHECK(parse_rfc3339("2024-02-29T00:00:00Z"));
  CAF_CHECK(!parse_rfc3339("2025-02-29T00:00:00Z"));
}

CAF_TEST(http dates round trip) {
  CAF_CHECK_EQUAL(format_http_date(1795417200),
                  "Mon, 23 Nov 2026 07:00:00 GMT");
  CAF_CHECK_EQUAL(parse_http_date("Mon, 23 Nov 2026 07:00:00 GMT"), 1795417200);
  CAF_CHECK(!parse_http_date("Monday, 23-Nov-26 07:00:00 GMT"));
  CAF_CHECK(!parse_http_date("Mon, 31 Nov 2026 07:00:00 GMT"));
}
