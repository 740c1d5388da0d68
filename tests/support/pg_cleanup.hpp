// Inside tests/support: making sure a test's private PostgreSQL clusters do
// not outlive it. A process that dies of a signal skips destructors, and a
// postmaster started by pg_ctl is in its own session, so nothing else would
// stop it: a fatal-signal handler stops the clusters in a table and deletes
// their directories. SIGKILL cannot be caught: the next pg_server reaps
// what such a process left behind.
#pragma once

#include <string>

namespace numina::testing::detail {

/// Enters a cluster directory in the table the fatal-signal handler walks
/// (installing the handler at first use). Returns its slot, or -1 when the
/// table is full (then only the destructor cleans up).
int track_cluster(const std::string& dir);

/// Records the postmaster's pid while it runs; 0 when it is stopped.
void set_postmaster(int slot, int pid) noexcept;

/// Removes the cluster from the table (it was cleaned up normally).
void untrack_cluster(int slot) noexcept;

/// The pid in `data_dir`/postmaster.pid if that process is running with
/// `data_dir` as its working directory (so it is that cluster's
/// postmaster, not an unrelated process that got the pid), else 0.
int postmaster_of(const std::string& data_dir);

/// Stops and deletes the clusters under `parent` named `<prefix><pid>-...`
/// whose test process `<pid>` no longer exists.
void reap_orphaned_clusters(const std::string& parent,
                            const std::string& prefix);

} // namespace numina::testing::detail
