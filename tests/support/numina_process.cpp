// The numina binary as a child process: see numina_process.hpp.
#include "tests/support/numina_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace numina::testing {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view listening_prefix = "numina listening on http://";

std::string errno_text(const char* what) {
  return std::string{what} + ": " + std::strerror(errno);
}

int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// The port of a listening line, or 0 when `line` is not one.
uint16_t port_of(std::string_view line) {
  if (line.rfind(listening_prefix, 0) != 0)
    return 0;
  auto colon = line.rfind(':');
  if (colon == std::string_view::npos || colon < listening_prefix.size())
    return 0;
  unsigned long port = 0;
  auto digits = line.substr(colon + 1);
  if (digits.empty() || digits.size() > 5)
    return 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return 0;
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  return port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

// Closes every descriptor above stderr; async-signal-safe.
void close_descriptors_from_3(int max_fd) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
    return;
#endif
  for (int fd = 3; fd < max_fd; ++fd)
    close(fd);
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int stdout_write, int stderr_fd, pid_t parent,
                             int max_fd, char* const* argv, char* const* envp) {
  // The test process may die without running destructors (a failed
  // CAF_REQUIRE aborts): the child must not outlive it.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
    _exit(127);
  const int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(stdout_write, 1) < 0 ||
      dup2(stderr_fd, 2) < 0)
    _exit(127);
  // Nothing else of the test process (database sockets, other children's
  // pipes) leaks into numina.
  close_descriptors_from_3(max_fd);
  execve(argv[0], argv, envp);
  _exit(127);
}

} // namespace

numina_process::numina_process(numina_launch launch) {
  std::vector<std::string> args{launch.binary, "--http.port=0"};
  args.insert(args.end(), launch.args.begin(), launch.args.end());
  std::vector<std::string> env;
  const char* path = std::getenv("PATH");
  env.push_back(std::string{"PATH="} +
                (path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"));
  for (auto& [name, value] : launch.env)
    env.push_back(name + "=" + value);
  std::vector<char*> c_args;
  for (auto& a : args)
    c_args.push_back(a.data());
  c_args.push_back(nullptr);
  std::vector<char*> c_env;
  for (auto& e : env)
    c_env.push_back(e.data());
  c_env.push_back(nullptr);

  // stderr: a file nobody else can see, unlinked at once so that nothing is
  // left behind even when the test process aborts.
  const char* tmp = std::getenv("TMPDIR");
  std::string stderr_path = std::string{tmp != nullptr && *tmp ? tmp : "/tmp"} +
                            "/numina-stderr-XXXXXX";
  stderr_fd_ = mkostemp(stderr_path.data(), O_CLOEXEC | O_APPEND);
  if (stderr_fd_ < 0)
    throw std::runtime_error(errno_text("mkostemp"));
  unlink(stderr_path.c_str());

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    close(stderr_fd_);
    throw std::runtime_error(errno_text("pipe2"));
  }
  const pid_t parent = getpid();
  // Computed here: sysconf is not safe between fork and exec.
  long open_max = sysconf(_SC_OPEN_MAX);
  const int max_fd =
      open_max < 0 || open_max > 65536 ? 65536 : static_cast<int>(open_max);
  pid_ = fork();
  if (pid_ < 0) {
    const auto why = errno_text("fork");
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(stderr_fd_);
    throw std::runtime_error(why);
  }
  if (pid_ == 0)
    exec_child(pipe_fds[1], stderr_fd_, parent, max_fd, c_args.data(),
               c_env.data());
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
}

numina_process::~numina_process() {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    reap(true);
  }
  if (stdout_fd_ >= 0)
    close(stdout_fd_);
  if (stderr_fd_ >= 0)
    close(stderr_fd_);
}

bool numina_process::read_stdout(std::chrono::milliseconds wait) {
  if (stdout_eof_)
    return false;
  pollfd p{stdout_fd_, POLLIN, 0};
  int rc = poll(&p, 1, static_cast<int>(wait.count()));
  if (rc < 0 && errno != EINTR)
    throw std::runtime_error(errno_text("poll"));
  if (rc <= 0)
    return true;
  char chunk[4096];
  ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN)
      return true;
    throw std::runtime_error(errno_text("read"));
  }
  if (n == 0) {
    stdout_eof_ = true;
    return false;
  }
  stdout_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool numina_process::wait_listening(std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  size_t scanned = 0; // stdout_ before this offset holds no listening line
  while (port_ == 0) {
    for (auto eol = stdout_.find('\n', scanned); eol != std::string::npos;
         eol = stdout_.find('\n', scanned)) {
      std::string_view line{stdout_.data() + scanned, eol - scanned};
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      scanned = eol + 1;
      if (auto port = port_of(line)) {
        port_ = port;
        return true;
      }
    }
    const int left = remaining_ms(deadline);
    if (left == 0 || !read_stdout(std::chrono::milliseconds{left}))
      return false;
  }
  return true;
}

void numina_process::signal(int signo) {
  if (!exit_code_ && pid_ > 0)
    kill(pid_, signo);
}

bool numina_process::reap(bool block) {
  if (exit_code_)
    return true;
  int status = 0;
  for (;;) {
    const pid_t rc = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (rc == pid_)
      break;
    if (rc == 0)
      return false;
    if (errno != EINTR)
      return false;
  }
  if (WIFEXITED(status))
    exit_code_ = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    exit_code_ = 128 + WTERMSIG(status);
  else
    exit_code_ = -1;
  return true;
}

std::optional<int>
numina_process::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  // The end of stdout is the child's exit (numina starts no children that
  // could hold the pipe open); reading it also keeps the child from
  // blocking on a full pipe.
  while (!exit_code_ && !stdout_eof_) {
    const int left = remaining_ms(deadline);
    if (left == 0)
      break;
    read_stdout(std::chrono::milliseconds{left});
  }
  // Between closing its files and becoming a zombie there is a short
  // moment: wait for it in small steps up to the deadline.
  while (!reap(false)) {
    if (remaining_ms(deadline) == 0)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  return exit_code_;
}

bool numina_process::running() {
  return !reap(false);
}

std::string numina_process::stdout_text() {
  while (read_stdout(std::chrono::milliseconds{0})) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
      break;
  }
  return stdout_;
}

std::string numina_process::stderr_text() const {
  std::string out;
  char chunk[4096];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = pread(stderr_fd_, chunk, sizeof chunk, offset);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(chunk, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

} // namespace numina::testing
