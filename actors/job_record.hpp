// What a background job reports about itself (/admin/jobs). Plain data.
#pragma once

#include <cstdint>
#include <string>

namespace numina::actors {

struct job_record {
  std::string name;
  int64_t interval_ms = 0;
  int64_t last_run_at = 0; // unix seconds; 0: never ran
  int64_t last_duration_ms = 0;
  std::string outcome;     // "never", "ok", "failed: <why>", "running"
  uint64_t rows = 0;       // rows the last successful run touched
  int64_t next_run_at = 0; // unix seconds
  uint64_t runs = 0;
  uint64_t failures = 0;
  uint64_t restarts = 0; // times the supervisor restarted the job
  bool running = false;
};

} // namespace numina::actors
