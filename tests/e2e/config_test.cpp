// How the real binary takes its configuration (docs/operations.md): exit
// code 2 naming the bad key, secrets masked by --print-config, flags over
// the environment. None of these gets as far as a database. The loader's
// rules themselves are unit-tested in tests/config.
#define CAF_SUITE e2e_config
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.hpp"

using namespace numina::e2e;
using numina::testing::numina_launch;
using numina::testing::numina_process;

namespace {

struct run_result {
  int exit_code = -1; // -1: still running after the timeout (then killed)
  std::string out;
  std::string err;
};

// Runs numina to its end with exactly these variables and flags.
run_result run_numina(header_list env, std::vector<std::string> args) {
  numina_process process{
      numina_launch{numina_binary(), std::move(env), std::move(args)}};
  run_result r;
  r.exit_code = process.wait_exit(10s).value_or(-1);
  r.out = process.stdout_text();
  r.err = process.stderr_text();
  if (r.exit_code != 0 && r.exit_code != 2)
    std::cerr << "numina stderr:\n" << r.err << '\n';
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Sets a variable in the test process itself and removes it again.
struct scoped_env {
  scoped_env(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~scoped_env() { unsetenv(name_); }
  const char* name_;
};

} // namespace

CAF_TEST(
    a port that is not a number in the environment exits 2 naming http.port) {
  auto r = run_numina({{"NUMINA_HTTP_PORT", "abc"}}, {});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "http.port"));
}

CAF_TEST(an unknown flag exits 2 naming it) {
  auto r = run_numina({}, {"--nope=1"});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "nope"));
}

CAF_TEST(print config masks the admin token) {
  const std::string token = "e2e-secret-token-do-not-print";
  auto r = run_numina({{"NUMINA_ADMIN_TOKEN", token}}, {"--print-config"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK(contains(r.out, "admin.token = ****\n"));
  CAF_CHECK(!contains(r.out, token));
  CAF_CHECK(!contains(r.err, token));
}

CAF_TEST(a flag beats the environment) {
  auto r = run_numina({{"NUMINA_HTTP_ADDRESS", "0.0.0.0"}},
                      {"--http.address=127.0.0.1", "--print-config"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK(contains(r.out, "http.address = 127.0.0.1\n"));
  CAF_CHECK(!contains(r.out, "0.0.0.0"));
}

CAF_TEST(the environment of the test process does not leak into numina) {
  // Would be refused with exit code 2 if numina saw it.
  scoped_env bad{"NUMINA_HTTP_PORT", "abc"};
  auto r = run_numina({}, {"--print-config"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK(contains(r.out, "http.port = 0\n"));
}
