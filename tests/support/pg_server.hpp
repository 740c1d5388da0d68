// A private, throwaway PostgreSQL 15 cluster for tests: initdb into a fresh
// temporary directory, started on a free TCP port of 127.0.0.1, stopped and
// deleted by the destructor.
//
// initdb and postgres refuse to run as root: when the test runs as root,
// every PostgreSQL command runs as the `postgres` user (runuser).
//
// Environment:
//   PG_BINDIR          the PostgreSQL binaries (default
//                      /usr/lib/postgresql/15/bin: Debian keeps initdb and
//                      pg_ctl off PATH).
//   NUMINA_PG_TMPDIR   parent of the cluster's directory (default /tmp); the
//                      postgres user must be able to traverse it.
//
// A test process that dies of a signal (an abort from a failed check or
// CAF's watchdog, a crash, Ctrl-C) still stops its clusters and deletes
// their directories; one killed outright (SIGKILL) leaves them behind, and
// the next pg_server constructed on the machine removes them.
#pragma once

#include <string>

namespace numina::testing {

class pg_server {
public:
  /// Runs initdb and starts the server (blocking, about a second).
  /// Throws std::runtime_error, quoting PostgreSQL's log, when that fails.
  pg_server();

  /// Stops the server at once (no shutdown checkpoint) and deletes its
  /// directory.
  ~pg_server();

  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  /// libpq key=value connection string of the superuser `postgres` to the
  /// database `postgres`.
  std::string url() const;

  /// The TCP port, the same across stop() and start().
  int port() const noexcept { return port_; }

  /// Whether the server is up (as far as this object knows).
  bool running() const noexcept { return running_; }

  /// Takes the database away (`pg_ctl stop -m fast`: open sessions end).
  /// Throws std::runtime_error when pg_ctl fails.
  void stop();

  /// Brings it back on the same port with the same data. Throws
  /// std::runtime_error when pg_ctl fails (e.g. the port was taken).
  void start();

private:
  void stop_now() noexcept;
  void shutdown() noexcept;

  std::string bin_;
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
  int slot_ = -1; // in the emergency cleanup table (pg_server.cpp)
};

} // namespace numina::testing
