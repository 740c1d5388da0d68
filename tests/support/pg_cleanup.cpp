// Cleaning up private PostgreSQL clusters when a test process dies: see
// pg_cleanup.hpp.
#include "tests/support/pg_cleanup.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace numina::testing::detail {

namespace {

constexpr int max_clusters = 32;
constexpr std::size_t max_path = 512;

// The paths are written (under table_mutex) before `used` is set, and the
// signal handler reads them only after claiming the entry through `used`:
// a handler cannot take a mutex.
struct entry {
  std::atomic<bool> used{false};
  // The process that started the cluster: a child forked after it (a test
  // of a crash, say) inherits the table and must not clean up its parent's
  // clusters when it dies.
  std::atomic<pid_t> owner{0};
  std::atomic<int> postmaster{0};
  char dir[max_path] = {};
  char pid_file[max_path] = {};
};

entry table[max_clusters];
std::mutex table_mutex;

constexpr int fatal_signals[] = {SIGABRT, SIGBUS,  SIGFPE,  SIGHUP, SIGILL,
                                 SIGINT,  SIGQUIT, SIGSEGV, SIGTERM};
struct sigaction previous_actions[NSIG];

// Async-signal-safe throughout (kill, access, nanosleep, _Fork, execv,
// waitpid): it runs inside the signal handler.
void stop_and_delete(int postmaster, const char* dir,
                     const char* pid_file) noexcept {
  // SIGQUIT is PostgreSQL's immediate shutdown, and the postmaster deletes
  // postmaster.pid as it exits. Wait for the file rather than the process:
  // an exited postmaster that nobody reaps still answers kill(pid, 0).
  if (postmaster > 0 && kill(postmaster, SIGQUIT) == 0) {
    for (int i = 0; i < 500 && access(pid_file, F_OK) == 0; ++i) {
      const timespec ten_ms{0, 10'000'000};
      nanosleep(&ten_ms, nullptr);
    }
  }
  // _Fork, unlike fork, runs no atfork handlers (which may take locks).
  const pid_t child = _Fork();
  if (child == 0) {
    execl("/bin/rm", "rm", "-rf", "--", dir, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
}

void clean_all() noexcept {
  const pid_t self = getpid();
  for (entry& e : table) {
    if (e.owner.load() != self)
      continue;
    bool expected = true;
    if (e.used.compare_exchange_strong(expected, false))
      stop_and_delete(e.postmaster.load(), e.dir, e.pid_file);
  }
}

void on_fatal_signal(int sig) {
  const int saved_errno = errno;
  clean_all();
  // Then die as we would have without this handler: the previous
  // disposition is back, and the signal raised here (blocked while the
  // handler runs) is delivered as it returns.
  sigaction(sig, &previous_actions[sig], nullptr);
  raise(sig);
  errno = saved_errno;
}

void install_handlers() {
  for (int sig : fatal_signals) {
    struct sigaction current {};
    // A signal someone ignores or handles already is theirs to keep.
    if (sigaction(sig, nullptr, &current) != 0 ||
        (current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL)
      continue;
    previous_actions[sig] = current;
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, nullptr);
  }
}

void copy_path(char (&out)[max_path], const std::string& path) {
  std::strncpy(out, path.c_str(), max_path - 1);
  out[max_path - 1] = '\0';
}

} // namespace

int track_cluster(const std::string& dir) {
  static std::once_flag installed;
  std::call_once(installed, install_handlers);
  const std::string pid_file = dir + "/data/postmaster.pid";
  if (pid_file.size() >= max_path)
    return -1;
  std::lock_guard<std::mutex> guard{table_mutex};
  for (int i = 0; i < max_clusters; ++i) {
    entry& e = table[i];
    if (e.used.load())
      continue;
    copy_path(e.dir, dir);
    copy_path(e.pid_file, pid_file);
    e.owner.store(getpid());
    e.postmaster.store(0);
    e.used.store(true);
    return i;
  }
  return -1;
}

void set_postmaster(int slot, int pid) noexcept {
  if (slot >= 0 && slot < max_clusters)
    table[slot].postmaster.store(pid);
}

void untrack_cluster(int slot) noexcept {
  if (slot < 0 || slot >= max_clusters)
    return;
  std::lock_guard<std::mutex> guard{table_mutex};
  table[slot].used.store(false);
}

int postmaster_of(const std::string& data_dir) {
  std::ifstream in{data_dir + "/postmaster.pid"};
  int pid = 0;
  if (!(in >> pid) || pid <= 0)
    return 0;
  std::error_code ec;
  const auto cwd = std::filesystem::read_symlink(
      "/proc/" + std::to_string(pid) + "/cwd", ec);
  if (ec || !std::filesystem::equivalent(cwd, data_dir, ec) || ec)
    return 0;
  return pid;
}

void reap_orphaned_clusters(const std::string& parent,
                            const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it{parent, ec}, end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0)
      continue;
    const int owner = std::atoi(name.c_str() + prefix.size());
    if (owner <= 0 || owner == getpid())
      continue;
    if (kill(owner, 0) == 0 || errno == EPERM)
      continue; // its test is still running
    const std::string dir = it->path().string();
    stop_and_delete(postmaster_of(dir + "/data"), dir.c_str(),
                    (dir + "/data/postmaster.pid").c_str());
  }
}

} // namespace numina::testing::detail
