#include "tests/storage/storage_fixture.hpp"

#include <cstdio>

#include <pqxx/pqxx>

#include "caf/test/unit_test.hpp"
#include "storage/classes.hpp"
#include "storage/users.hpp"

namespace numina::testing {

using storage::db_call;
using storage::row_set;

namespace {

constexpr std::chrono::seconds statement_timeout{30};

std::unique_ptr<storage::executor> connected_executor(const std::string& url) {
  auto exec = storage::make_pg_executor(url, statement_timeout);
  if (auto err = exec->connect())
    CAF_FAIL("cannot connect the executor: " << err->message);
  return exec;
}

} // namespace

struct storage_fixture::direct {
  explicit direct(const std::string& url) : conn(url) {}
  pqxx::connection conn;
};

storage_fixture::storage_fixture()
  : exec_(connected_executor(db_.url())),
    direct_(std::make_unique<direct>(db_.url())) {}

storage_fixture::~storage_fixture() = default;

std::unique_ptr<storage::executor> storage_fixture::new_executor() const {
  return connected_executor(db_.url());
}

outcome<row_set> storage_fixture::run(const db_call& call) {
  return exec_->run(call);
}

row_set storage_fixture::must(const db_call& call) {
  auto result = exec_->run(call);
  if (!result) {
    CAF_ERROR(call.op << " failed: " << name_of(result.error().code) << " "
                      << result.error().message);
    return {};
  }
  return std::move(result.value());
}

error_code storage_fixture::refusal(const db_call& call) {
  auto result = exec_->run(call);
  if (result) {
    CAF_ERROR(call.op << " succeeded, but it should have failed");
    return error_code::none;
  }
  return result.error().code;
}

void storage_fixture::sql(const std::string& text) {
  pqxx::work tx{direct_->conn};
  tx.exec(text);
  tx.commit();
}

std::string storage_fixture::sql_value(const std::string& text) {
  pqxx::work tx{direct_->conn};
  auto r = tx.exec(text);
  tx.commit();
  if (r.empty())
    return "";
  return r[0][0].as<std::string>("");
}

std::vector<std::string> storage_fixture::sql_rows(const std::string& text) {
  pqxx::work tx{direct_->conn};
  auto r = tx.exec(text);
  tx.commit();
  std::vector<std::string> out;
  for (const auto& row : r) {
    std::string line;
    for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
      if (i > 0)
        line += '|';
      line += row[i].as<std::string>("");
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string storage_fixture::query_plan(const std::string& statement,
                                        const std::string& args, bool generic) {
  sql("DEALLOCATE ALL");
  sql("PREPARE q AS " + statement);
  std::string text;
  for (const auto& line : sql_rows(std::string{"SET LOCAL plan_cache_mode = "} +
                                   (generic ? "force_generic_plan" : "auto") +
                                   "; EXPLAIN EXECUTE q(" + args + ")"))
    text += line + "\n";
  return text;
}

void storage_fixture::report_not_one(const std::string& op, size_t n) {
  CAF_ERROR(op << " returned " << n << " rows, not one");
}

int64_t storage_fixture::make_user(const std::string& name) {
  const int n = ++users_;
  auto rows =
      must(storage::auth_register("user" + std::to_string(n) + "@example.com",
                                  name, "hash", token_hash(n)));
  auto users = storage::decode_users(rows);
  if (users.size() != 1)
    CAF_FAIL("auth.register returned " << users.size() << " users");
  return users.front().id;
}

int64_t storage_fixture::make_class(int64_t provider, unix_seconds starts_at,
                                    int64_t capacity) {
  storage::new_class c;
  c.provider_id = provider;
  c.title = "Class at " + std::to_string(starts_at);
  c.starts_at = starts_at;
  c.duration_min = 60;
  c.capacity = capacity;
  auto classes = storage::decode_classes(must(storage::classes_create(c)));
  if (classes.size() != 1)
    CAF_FAIL("classes.create returned " << classes.size() << " classes");
  return classes.front().id;
}

std::string token_hash(int64_t n) {
  char buf[65];
  std::snprintf(buf, sizeof buf, "%064llx", static_cast<unsigned long long>(n));
  return buf;
}

unix_seconds future(int64_t offset_s) {
  return 1893456000 + offset_s; // 2030-01-01T00:00:00Z
}

} // namespace numina::testing
