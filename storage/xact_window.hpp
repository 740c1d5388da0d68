// Internal to storage/: the part of an incremental job that decides which
// rows it may read, shared by the rating and notification jobs. Rows carry
// the transaction that inserted them (`xact`, migration 0004); a job reads
// those of transactions after its watermark and before the horizon, the
// oldest transaction still running. Every transaction below the horizon has
// finished, so no row can appear behind the watermark later (ids and
// timestamps give no such promise: commits do not come in their order).
#pragma once

#include <cstdint>
#include <string>

#include "storage/operation.hpp"

namespace numina::storage {

/// The transactions a run may read: `from` < xact < `horizon`. The horizon
/// is kept as text, as an `$n::text::xid8` parameter takes it.
struct xact_window {
  int64_t from = 0;
  std::string horizon;
  /// The stored watermark was ahead of every transaction id this cluster
  /// has handed out (data restored logically from another cluster), so the
  /// window starts over at 0. The job's operations are exact on a rerun.
  bool reset = false;
};

/// Reads the horizon for a job whose watermark is `watermark` (0: none).
xact_window read_xact_window(pqxx::work& tx, int64_t watermark);

/// The batch size parameter at `i`: at least 1, else an internal failure
/// (the job actor's configuration is validated before it runs).
int64_t job_batch_size(const params& p, size_t i);

} // namespace numina::storage
