// What the end-to-end suites share: see e2e_support.hpp.
#include "tests/e2e/e2e_support.hpp"

#include "core/json_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <regex>
#include <sstream>
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

// error_mismatch() with an optional check of `error.field`.
std::string error_mismatch_impl(const std::optional<http_response>& res,
                                int status, std::string_view code,
                                std::optional<std::string_view> field);

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
  return error_mismatch_impl(res, status, code, std::nullopt);
}

std::string error_mismatch(const std::optional<http_response>& res, int status,
                           std::string_view code, std::string_view field) {
  return error_mismatch_impl(res, status, code, field);
}

namespace {

std::string error_mismatch_impl(const std::optional<http_response>& res,
                                int status, std::string_view code,
                                std::optional<std::string_view> field) {
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
  if (field) {
    std::string_view got_field;
    if (error["field"].get_string().get(got_field) != simdjson::SUCCESS)
      out += "error.field is missing or not a string; ";
    else if (got_field != *field)
      out += "error.field is '" + std::string{got_field} + "' instead of '" +
             std::string{*field} + "'; ";
  }
  if (!out.empty())
    out += "body: " + res->body;
  return out;
}

} // namespace

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

// -- JSON ---------------------------------------------------------------------

struct json_builder {
  static json_value from(simdjson::dom::element e) {
    json_value v;
    switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      v.type_ = json_value::kind::null;
      break;
    case simdjson::dom::element_type::BOOL:
      v.type_ = json_value::kind::boolean;
      v.bool_ = bool(e);
      break;
    case simdjson::dom::element_type::INT64:
      v.type_ = json_value::kind::integer;
      v.int_ = int64_t(e);
      v.number_ = static_cast<double>(v.int_);
      break;
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      v.type_ = json_value::kind::number;
      v.number_ = double(e);
      break;
    case simdjson::dom::element_type::STRING:
      v.type_ = json_value::kind::string;
      v.text_ = std::string{std::string_view(e)};
      break;
    case simdjson::dom::element_type::ARRAY:
      v.type_ = json_value::kind::array;
      for (simdjson::dom::element item : simdjson::dom::array(e))
        v.items_.push_back(from(item));
      break;
    case simdjson::dom::element_type::OBJECT:
      v.type_ = json_value::kind::object;
      for (simdjson::dom::key_value_pair kv : simdjson::dom::object(e))
        v.members_.emplace_back(std::string{kv.key}, from(kv.value));
      break;
    }
    return v;
  }
};

namespace {

const json_value& missing_value() {
  static const json_value missing;
  return missing;
}

} // namespace

json_value json_value::parse(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(std::string{text}).get(doc) != simdjson::SUCCESS)
    return {};
  return json_builder::from(doc);
}

const json_value& json_value::operator[](std::string_view key) const {
  for (auto& [name, value] : members_)
    if (name == key)
      return value;
  return missing_value();
}

const json_value& json_value::operator[](size_t index) const {
  return index < items_.size() ? items_[index] : missing_value();
}

size_t json_value::size() const noexcept {
  return type_ == kind::array ? items_.size() : members_.size();
}

std::vector<std::string> json_value::keys() const {
  std::vector<std::string> out;
  for (auto& member : members_)
    out.push_back(member.first);
  return out;
}

double json_value::number() const noexcept {
  return type_ == kind::integer || type_ == kind::number ? number_ : 0;
}

std::string json_value::dump() const {
  switch (type_) {
  case kind::missing:
    return "<missing>";
  case kind::null:
    return "null";
  case kind::boolean:
    return bool_ ? "true" : "false";
  case kind::integer:
    return std::to_string(int_);
  case kind::number: {
    std::ostringstream out;
    out << std::setprecision(17) << number_;
    return out.str();
  }
  case kind::string:
    return json_quote(text_);
  case kind::array: {
    std::string out = "[";
    for (size_t i = 0; i < items_.size(); ++i)
      out += (i == 0 ? "" : ",") + items_[i].dump();
    return out + "]";
  }
  case kind::object: {
    std::string out = "{";
    for (size_t i = 0; i < members_.size(); ++i)
      out += (i == 0 ? "" : ",") + json_quote(members_[i].first) + ":" +
             members_[i].second.dump();
    return out + "}";
  }
  }
  return {};
}

std::string sorted_keys(const json_value& object) {
  auto keys = object.keys();
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (auto& key : keys)
    out += (out.empty() ? "" : ",") + key;
  return out;
}

std::string json_quote(std::string_view text) {
  // The server's own escaping: tests and server agree on what JSON is.
  std::string out;
  numina::json_writer::append_string(out, text);
  return out;
}

json_object& json_object::set(std::string_view key, std::string_view text) {
  return raw(key, json_quote(text));
}

json_object& json_object::set(std::string_view key, int64_t number) {
  return raw(key, std::to_string(number));
}

json_object& json_object::raw(std::string_view key, std::string_view json) {
  for (auto& member : members_) {
    if (member.first == key) {
      member.second = std::string{json};
      return *this;
    }
  }
  members_.emplace_back(std::string{key}, std::string{json});
  return *this;
}

json_object& json_object::erase(std::string_view key) {
  members_.erase(std::remove_if(members_.begin(), members_.end(),
                                [&](auto& m) { return m.first == key; }),
                 members_.end());
  return *this;
}

std::string json_object::str() const {
  std::string out = "{";
  for (auto& [key, value] : members_)
    out += (out.size() == 1 ? "" : ",") + json_quote(key) + ":" + value;
  return out + "}";
}

bool is_utc_timestamp(std::string_view text) {
  static const std::regex form{R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)"};
  return std::regex_match(text.begin(), text.end(), form);
}

} // namespace numina::e2e
