// Background jobs: each one an actor on its own timer, under a supervisor.
// A job's work is one storage operation run in bounded chunks on the DB
// workers (never on the cooperative scheduler): the operation takes the
// chunk size and answers how many rows it touched, whether more remain, and
// which cache prefixes the chunk made stale.
//
// Fixed delay: the next run is armed when a run ends, so a job never
// overlaps itself. A failed run is retried after a backoff that doubles up
// to the interval; a crash is survived (the supervisor starts the job again
// and the next tick comes).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"

namespace numina::actors {

struct job_config {
  std::string name;      // "ratings", "feed", "notifications"
  std::string operation; // storage operation, e.g. "jobs.ratings"
  caf::timespan interval{std::chrono::minutes(5)};
  caf::timespan first_backoff{std::chrono::seconds(1)};
  unsigned batch_size = 1000;
  caf::timespan chunk_timeout{std::chrono::seconds(60)};
  /// Runs after a chunk with the prefixes it reported, and must answer
  /// (call the continuation) when they are gone; tests pass a no-op.
  std::function<void(std::vector<std::string>, std::function<void()>)>
      invalidate;
};

/// The supervisor: starts one job actor per config and restarts any that
/// dies. Its interface answers for all jobs.
job_supervisor_actor spawn_job_supervisor(caf::actor_system& sys,
                                          std::vector<job_config> jobs,
                                          db_pool_actor pool);

} // namespace numina::actors
