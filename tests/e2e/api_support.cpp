// What the suites of the v1 API share: see api_support.hpp.
#include "tests/e2e/api_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <ctime>
#include <iostream>

#include "caf/test/unit_test.hpp"
#include "tests/support/scratch_db.hpp"

namespace numina::e2e {

namespace {

bool current_test_failed() {
  auto* test = caf::test::engine::current_test();
  return test != nullptr && test->bad() > 0;
}

bool names(const header_list& headers, std::string_view name) {
  for (auto& h : headers) {
    if (h.first.size() != name.size())
      continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h.first[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same)
      return true;
  }
  return false;
}

// A database and the numina on it, for the whole process.
struct suite_server {
  testing::scratch_db db;
  node numina{db.url(), api_args()};
};

} // namespace

std::vector<std::string> api_args() {
  return {"--auth.hash_ops=1", "--auth.hash_memory=8KiB",
          "--rate_limit.enabled=false"};
}

node& shared_node() {
  static suite_server server;
  return server.numina;
}

std::string unique_email(std::string_view stem) {
  static std::atomic<int> next{0};
  return std::string{stem} + "-" + std::to_string(getpid()) + "-" +
         std::to_string(++next) + "@example.com";
}

std::optional<http_response> api_client::send(std::string_view method,
                                              std::string_view path,
                                              std::string_view token,
                                              std::optional<std::string> body,
                                              header_list headers) {
  if (!token.empty())
    headers.emplace_back("Authorization", "Bearer " + std::string{token});
  if (body && !names(headers, "content-type"))
    headers.emplace_back("Content-Type", "application/json");
  const auto raw = http_client::format_request(method, path, headers,
                                               body.value_or(std::string{}));
  // A kept-alive connection may have been closed by numina meanwhile (idle
  // timeout): then one new connection, never a resend of a request that
  // numina may have received.
  if (!client_.connected() || client_.closed_by_peer(0ms))
    if (!client_.connect(port_))
      return std::nullopt;
  if (!client_.send_raw(raw))
    return std::nullopt;
  auto res = client_.read_response(10s, method == "HEAD");
  if (!res || header_of(res, "connection") == "close")
    client_.close();
  return res;
}

std::optional<http_response> api_client::register_as(std::string_view email,
                                                     std::string_view password,
                                                     std::string_view name) {
  return post("/api/v1/auth/register", {},
              json_object{}
                  .set("email", email)
                  .set("password", password)
                  .set("name", name)
                  .str());
}

account api_client::register_user(std::string_view name) {
  account a;
  a.email = unique_email();
  auto res = register_as(a.email, test_password, name);
  CAF_CHECK_EQUAL(status_of(res), 201);
  if (status_of(res) != 201) {
    CAF_MESSAGE("register answered: " << (res ? res->body : last_error()));
    return a;
  }
  auto doc = body_of(res);
  a.id = doc["user"]["id"].integer();
  a.token = doc["token"].text();
  return a;
}

int64_t api_client::create_class(const account& provider,
                                 const json_object& body) {
  auto res = post("/api/v1/classes", provider.token, body.str());
  CAF_CHECK_EQUAL(status_of(res), 201);
  if (status_of(res) != 201) {
    CAF_MESSAGE(
        "POST /api/v1/classes answered: " << (res ? res->body : last_error()));
    return 0;
  }
  return body_of(res)["id"].integer();
}

int64_t api_client::book(const account& member, int64_t class_id) {
  auto res = post(bookings_path(class_id), member.token, "{}");
  CAF_CHECK_EQUAL(status_of(res), 201);
  if (status_of(res) != 201) {
    CAF_MESSAGE("booking answered: " << (res ? res->body : last_error()));
    return 0;
  }
  return body_of(res)["id"].integer();
}

json_value api_client::get_json(std::string_view path, std::string_view token) {
  auto res = get(path, token);
  CAF_CHECK_EQUAL(status_of(res), 200);
  if (status_of(res) != 200) {
    CAF_MESSAGE("GET " << path
                       << " answered: " << (res ? res->body : last_error()));
    return {};
  }
  return body_of(res);
}

json_value body_of(const std::optional<http_response>& res) {
  return res ? json_value::parse(res->body) : json_value{};
}

int64_t unix_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

std::string utc_text(int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string utc_from_now(std::chrono::seconds from_now) {
  return utc_text(unix_now() + from_now.count());
}

std::vector<int64_t> item_ids(const json_value& list) {
  std::vector<int64_t> out;
  for (auto& item : list["items"].items())
    out.push_back(item["id"].integer());
  return out;
}

json_object class_body(int64_t capacity, std::chrono::seconds from_now) {
  return json_object{}
      .set("title", "Morning yoga")
      .set("starts_at", utc_from_now(from_now))
      .set("duration_min", 60)
      .set("capacity", capacity);
}

std::string class_path(int64_t id) {
  return "/api/v1/classes/" + std::to_string(id);
}

std::string bookings_path(int64_t class_id) {
  return class_path(class_id) + "/bookings";
}

std::string booking_path(int64_t booking_id) {
  return "/api/v1/bookings/" + std::to_string(booking_id);
}

std::string user_path(int64_t id) {
  return "/api/v1/users/" + std::to_string(id);
}

api_fixture::~api_fixture() {
  if (!current_test_failed())
    return;
  // The shared numina has served every earlier test too: its last lines
  // are the ones about this test.
  auto text = numina.process().stderr_text();
  if (text.empty())
    return;
  constexpr size_t tail = 4000;
  if (text.size() > tail)
    text = "[...]" + text.substr(text.size() - tail);
  std::cerr << "----- numina stderr (end) -----\n"
            << text << "----- end of numina stderr -----\n";
}

} // namespace numina::e2e
