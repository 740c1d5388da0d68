// The real `numina` binary as a child process, for end-to-end tests.
//
// The child gets a clean environment: PATH plus exactly the variables the
// test passes (NUMINA_* from the test's own environment never leak in), the
// test's extra `--key=value` flags and always `--http.port=0`. Its stdout is
// a pipe (the listening line arrives there); its stderr goes to an unlinked
// temporary file that `stderr_text()` reads back for diagnostics. The child
// is killed with SIGKILL when the test process dies (PR_SET_PDEATHSIG) or
// when the numina_process is destroyed while it still runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace numina::testing {

/// How to start numina.
struct numina_launch {
  /// Path of the numina executable (e.g. the NUMINA_BINARY compile
  /// definition of the e2e tests).
  std::string binary;
  /// Environment variables of the child besides PATH, e.g.
  /// {"NUMINA_DATABASE_URL", url}.
  std::vector<std::pair<std::string, std::string>> env;
  /// Extra command-line arguments, e.g. "--http.idle_timeout=1s". They
  /// follow `--http.port=0`, so a test may still override the port.
  std::vector<std::string> args;
};

class numina_process {
public:
  /// Starts the child (it does not wait for it to listen). Throws
  /// std::runtime_error when it cannot be started at all.
  explicit numina_process(numina_launch launch);

  /// SIGKILLs a child still running and reaps it.
  ~numina_process();

  numina_process(const numina_process&) = delete;
  numina_process& operator=(const numina_process&) = delete;

  /// Reads stdout until the line `numina listening on http://ADDR:PORT`.
  /// False when the child exits first or `timeout` passes; `stderr_text()`
  /// then says why.
  bool wait_listening(
      std::chrono::milliseconds timeout = std::chrono::milliseconds{15000});

  /// The port from the listening line; 0 before it arrived.
  uint16_t port() const noexcept { return port_; }

  /// The child's process id.
  int pid() const noexcept { return pid_; }

  /// Sends a signal (e.g. SIGTERM) to the child while it runs.
  void signal(int signo);

  /// Waits until the child exits: its exit code, or 128 + the signal number
  /// when a signal ended it; nullopt when it still runs after `timeout`.
  /// Later calls return the same code at once.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// Whether the child has not been seen to exit (does not wait).
  bool running();

  /// Everything the child has written to stdout so far.
  std::string stdout_text();

  /// Everything the child has written to stderr so far.
  std::string stderr_text() const;

private:
  // Appends what stdout has now, waiting at most `wait` for something.
  // False at end of file.
  bool read_stdout(std::chrono::milliseconds wait);
  bool reap(bool block);

  int pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool stdout_eof_ = false;
  std::optional<int> exit_code_;
  uint16_t port_ = 0;
  std::string stdout_;
};

} // namespace numina::testing
