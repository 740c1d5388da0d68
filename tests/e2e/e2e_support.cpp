// What the end-to-end suites share: see e2e_support.hpp.
#include "tests/e2e/e2e_support.hpp"

#include <iostream>
#include <thread>

#include <simdjson.h>

#include "caf/test/unit_test.hpp"

#ifndef NUMINA_BINARY
#error "NUMINA_BINARY must name the numina executable"
#endif

namespace numina::e2e {

namespace {

bool current_test_failed() {
  auto* test = caf::test::engine::current_test();
  return test != nullptr && test->bad() > 0;
}

testing::numina_launch launch_of(std::string database_url,
                                 std::vector<std::string> args,
                                 header_list extra_env) {
  testing::numina_launch launch;
  launch.binary = numina_binary();
  launch.env = {{"NUMINA_DATABASE_URL", std::move(database_url)},
                {"NUMINA_ADMIN_TOKEN", std::string{admin_token}}};
  for (auto& e : extra_env)
    launch.env.push_back(std::move(e));
  launch.args = std::move(args);
  return launch;
}

// The element at `pointer`, if the document parses and has it.
template <class F>
auto with_element(const std::string& json, std::string_view pointer, F f)
    -> decltype(f(simdjson::dom::element{})) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS)
    return {};
  simdjson::dom::element value;
  if (doc.at_pointer(pointer).get(value) != simdjson::SUCCESS)
    return {};
  return f(value);
}

} // namespace

std::string numina_binary() {
  return NUMINA_BINARY;
}

node::node(std::string database_url, std::vector<std::string> args,
           header_list extra_env)
  : process_(launch_of(std::move(database_url), std::move(args),
                       std::move(extra_env))) {
  if (!process_.wait_listening(15s)) {
    print_stderr();
    CAF_FAIL("numina did not print its listening line within 15 s");
  }
  if (!await_ready(15s)) {
    print_stderr();
    CAF_FAIL("numina did not answer GET /health/ready with 200 within 15 s");
  }
}

node::~node() {
  if (current_test_failed())
    print_stderr();
}

bool node::await_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    http_client client;
    if (client.connect(port())) {
      auto res = client.request("GET", "/health/ready", {}, {}, 5s);
      if (res && res->status == 200)
        return true;
    }
    if (std::chrono::steady_clock::now() + 50ms >= deadline)
      return false;
    std::this_thread::sleep_for(50ms);
  }
}

void node::print_stderr() {
  std::cerr << "----- numina (pid " << process_.pid() << ") stderr -----\n"
            << process_.stderr_text() << "----- end of numina stderr -----\n";
}

void connect_or_fail(http_client& client, uint16_t port) {
  if (!client.connect(port))
    CAF_FAIL("cannot connect to numina: " << client.last_error());
}

bool answers_a_good_request(uint16_t port) {
  http_client client;
  if (!client.connect(port))
    return false;
  auto res = client.request("GET", "/health/live");
  return res && res->status == 200;
}

std::string error_mismatch(const std::optional<http_response>& res, int status,
                           std::string_view code) {
  if (!res)
    return "no response";
  std::string out;
  if (res->status != status)
    out += "status " + std::to_string(res->status) + " instead of " +
           std::to_string(status) + "; ";
  if (res->header("cache-control").value_or("") != "no-store")
    out += "Cache-Control is '" + res->header("cache-control").value_or("") +
           "', not no-store; ";
  if (res->header("content-type").value_or("").rfind("application/json", 0) !=
      0)
    out +=
        "Content-Type is '" + res->header("content-type").value_or("") + "'; ";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object top;
  simdjson::dom::object error;
  if (parser.parse(res->body).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(top) != simdjson::SUCCESS) {
    return out + "the body is not a JSON object: " + res->body;
  }
  if (top.size() != 1 || top["error"].get_object().get(error))
    return out + "the body is not {\"error\":{...}}: " + res->body;
  std::string_view got_code;
  std::string_view message;
  if (error["code"].get_string().get(got_code) != simdjson::SUCCESS)
    out += "error.code is missing or not a string; ";
  else if (got_code != code)
    out += "error.code is '" + std::string{got_code} + "' instead of '" +
           std::string{code} + "'; ";
  if (error["message"].get_string().get(message) != simdjson::SUCCESS ||
      message.empty())
    out += "error.message is missing, empty or not a string; ";
  for (auto [key, value] : error)
    if (key != "code" && key != "message" && key != "field")
      out += "error has the unexpected member '" + std::string{key} + "'; ";
  if (!out.empty())
    out += "body: " + res->body;
  return out;
}

int status_of(const std::optional<http_response>& res) {
  return res ? res->status : -1;
}

std::string header_of(const std::optional<http_response>& res,
                      std::string_view name) {
  if (!res)
    return {};
  return res->header(name).value_or("");
}

std::optional<std::string> json_string_at(const std::string& json,
                                          std::string_view pointer) {
  return with_element(
      json, pointer,
      [](simdjson::dom::element e) -> std::optional<std::string> {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS)
          return std::nullopt;
        return std::string{s};
      });
}

bool json_number_at(const std::string& json, std::string_view pointer) {
  return with_element(json, pointer,
                      [](simdjson::dom::element e) { return e.is_number(); });
}

} // namespace numina::e2e
