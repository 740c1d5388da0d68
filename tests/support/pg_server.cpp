// A private PostgreSQL cluster for tests: see pg_server.hpp.
#include "tests/support/pg_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/support/pg_cleanup.hpp"

namespace numina::testing {

namespace {

constexpr const char* dir_prefix = "numina-pg-";

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

bool as_root() {
  return geteuid() == 0;
}

// Runs a PostgreSQL tool in `dir` (as the postgres user when we are root:
// initdb and postgres refuse root), stdin from /dev/null, stdout and
// stderr appended to `log`. No shell: arguments are passed as they are.
bool run_tool(const std::string& dir, const std::vector<std::string>& args,
              const std::string& log) {
  std::vector<std::string> argv;
  if (as_root())
    argv = {"runuser", "-u", "postgres", "--"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& arg : argv)
    c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The postgres user cannot enter root's working directory; the cluster's
  // own directory it can.
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The postmaster lives on after pg_ctl: it must not inherit the test's
  // descriptors (a listening socket would stay bound, a pipe never ends).
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = 0;
  const int rc =
      posix_spawnp(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The end of a log, for an exception message.
std::string tail_of(const std::string& path, std::streamoff bytes = 2000) {
  std::ifstream in{path, std::ios::binary | std::ios::ate};
  if (!in)
    return "(no " + path + ")";
  const std::streamoff size = in.tellg();
  in.seekg(size > bytes ? size - bytes : 0);
  std::ostringstream out;
  out << in.rdbuf();
  return path + ":\n" + out.str();
}

// Asks the kernel for a free port. Another process may take it before the
// server binds it; the constructor then tries another.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket: " + std::string{std::strerror(errno)});
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok)
    throw std::runtime_error("no free port: " +
                             std::string{std::strerror(errno)});
  return ntohs(addr.sin_port);
}

} // namespace

pg_server::pg_server()
  : bin_(env_or("PG_BINDIR", "/usr/lib/postgresql/15/bin")) {
  const std::string parent = env_or("NUMINA_PG_TMPDIR", "/tmp");
  detail::reap_orphaned_clusters(parent, dir_prefix);
  // The pid in the name lets a later process tell an orphan from a
  // cluster still in use.
  std::string path =
      parent + "/" + dir_prefix + std::to_string(getpid()) + "-XXXXXX";
  if (mkdtemp(path.data()) == nullptr)
    throw std::runtime_error("mkdtemp " + path + ": " + std::strerror(errno));
  dir_ = path;
  slot_ = detail::track_cluster(dir_);
  try {
    if (as_root()) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr)
        throw std::runtime_error("running as root, but there is no user "
                                 "postgres to run PostgreSQL as");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("chown " + dir_ + ": " + std::strerror(errno));
    }
    // --no-sync: a throwaway cluster needs no durability.
    const std::string log = dir_ + "/initdb.log";
    if (!run_tool(dir_,
                  {bin_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                  log))
      throw std::runtime_error("initdb failed; " + tail_of(log));
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      try {
        start();
        break;
      } catch (const std::runtime_error&) {
        if (attempt == 3)
          throw;
        stop_now();
      }
    }
  } catch (...) {
    shutdown();
    throw;
  }
}

pg_server::~pg_server() {
  shutdown();
}

void pg_server::stop_now() noexcept {
  // Immediate: no shutdown checkpoint, the data is thrown away anyway. Also
  // when running_ is false: a start that timed out may have left a server.
  run_tool(
      dir_,
      {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"},
      dir_ + "/pg_ctl.log");
  running_ = false;
  detail::set_postmaster(slot_, 0);
}

void pg_server::shutdown() noexcept {
  if (dir_.empty())
    return;
  stop_now();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  detail::untrack_cluster(slot_);
  dir_.clear();
}

std::string pg_server::url() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=postgres dbname=postgres connect_timeout=5";
}

void pg_server::stop() {
  const std::string log = dir_ + "/pg_ctl.log";
  if (!run_tool(dir_,
                {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w",
                 "-t", "60", "stop"},
                log))
    throw std::runtime_error("pg_ctl stop failed; " + tail_of(log));
  running_ = false;
  detail::set_postmaster(slot_, 0);
}

void pg_server::start() {
  // pg_ctl hands -o to a shell: the directory is quoted (mkdtemp names
  // have no quotes; a NUMINA_PG_TMPDIR with one is not supported).
  const std::string options =
      "-p " + std::to_string(port_) + " -k '" + dir_ +
      "' -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC";
  const std::string server_log = dir_ + "/server.log";
  if (!run_tool(dir_,
                {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", server_log, "-w",
                 "-t", "60", "-o", options, "start"},
                dir_ + "/pg_ctl.log"))
    throw std::runtime_error("pg_ctl start on port " + std::to_string(port_) +
                             " failed; " + tail_of(server_log));
  running_ = true;
  detail::set_postmaster(slot_, detail::postmaster_of(dir_ + "/data"));
}

} // namespace numina::testing
