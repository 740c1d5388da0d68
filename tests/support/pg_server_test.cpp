// The private PostgreSQL cluster that tests run against.
#define CAF_SUITE pg_server
// Workaround for CAF 0.17.6: dsl.hpp calls an undefined FAIL(...) macro.
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <pqxx/pqxx>

#include "tests/support/pg_server.hpp"

using numina::testing::pg_server;

namespace {

bool accepts_connections(const std::string& url) {
  try {
    pqxx::connection conn{url};
    pqxx::nontransaction txn{conn};
    txn.exec1("SELECT 1");
    return true;
  } catch (const pqxx::broken_connection&) {
    return false;
  }
}

// A child process that started a cluster, and how to reach that cluster.
struct child_cluster {
  pid_t pid = -1;
  std::string url;
};

// Forks a child that starts a pg_server, reports its url through a pipe,
// then runs `after_start` (which should abort or block).

template <class AfterStart>
child_cluster fork_with_cluster(AfterStart after_start) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    pg_server server;
    const std::string report = server.url() + "\n";
    if (write(fds[1], report.data(), report.size()) < 0)
      _exit(3);
    close(fds[1]);
    after_start();
    _exit(0);
  }
  close(fds[1]);
  child_cluster out;
  out.pid = pid;
  // Up to the newline, not to EOF: the child may never exit.
  std::string text;
  char c = 0;
  while (read(fds[0], &c, 1) == 1 && c != '\n')
    text += c;
  close(fds[0]);
  out.url = text;
  return out;
}

// How many cluster directories process `pid` has (see pg_server.cpp).
int clusters_of(pid_t pid) {
  const char* parent = std::getenv("NUMINA_PG_TMPDIR");
  const std::string prefix = "numina-pg-" + std::to_string(pid) + "-";
  int n = 0;
  for (const auto& item :
       std::filesystem::directory_iterator{parent ? parent : "/tmp"})
    if (item.path().filename().string().rfind(prefix, 0) == 0)
      ++n;
  return n;
}

} // namespace

CAF_TEST(a stopped server refuses connections and comes back with its data) {
  pg_server server;
  CAF_CHECK(server.running());
  {
    pqxx::connection conn{server.url()};
    pqxx::work txn{conn};
    txn.exec0("CREATE TABLE kept (n int)");
    txn.exec0("INSERT INTO kept VALUES (42)");
    txn.commit();
  }
  const int port = server.port();
  server.stop();
  CAF_CHECK(!server.running());
  CAF_CHECK(!accepts_connections(server.url()));
  server.start();
  CAF_CHECK(server.running());
  CAF_CHECK_EQUAL(server.port(), port);
  pqxx::connection conn{server.url()};
  pqxx::work txn{conn};
  CAF_CHECK_EQUAL(txn.exec1("SELECT n FROM kept")[0].as<int>(), 42);
  CAF_CHECK_EQUAL(txn.exec1("SHOW TimeZone")[0].as<std::string>(), "UTC");
}

CAF_TEST(a test process that aborts leaves no cluster behind) {
  auto child = fork_with_cluster([] { std::abort(); });
  CAF_REQUIRE_GREATER(child.pid, 0);
  int status = 0;
  waitpid(child.pid, &status, 0);
  CAF_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  CAF_CHECK(!child.url.empty());
  CAF_CHECK_EQUAL(clusters_of(child.pid), 0);
  CAF_CHECK(!accepts_connections(child.url));
}

CAF_TEST(
    a cluster whose test process was killed is removed by the next server) {
  auto child = fork_with_cluster([] { pause(); });
  CAF_REQUIRE_GREATER(child.pid, 0);
  kill(child.pid, SIGKILL);
  waitpid(child.pid, nullptr, 0);
  // SIGKILL runs no handler: the orphan is still there ...
  CAF_CHECK_EQUAL(clusters_of(child.pid), 1);
  CAF_CHECK(accepts_connections(child.url));
  // ... until the next pg_server looks for orphans.
  pg_server next;
  CAF_CHECK_EQUAL(clusters_of(child.pid), 0);
  CAF_CHECK(!accepts_connections(child.url));
}
