// Idempotency keys (api.md section 1 and 5), kept in PostgreSQL so that the
// guarantee holds across restarts and nodes.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "storage/db_call.hpp"

namespace numina::storage {

struct idempotency_state {
  enum class kind { fresh, running, mismatch, done };
  kind state = kind::fresh;
  int64_t status = 0;  // done: the stored response
  std::string body;    // done
  std::string headers; // done: "Name: value\n" lines worth replaying
};

/// Claims (scope, key) for a request with `request_hash`. An entry older
/// than 24 hours counts as absent (and is replaced), and so does a claim
/// still running after `lease` (left by a process that died mid-request;
/// the lease must exceed the longest a request can run). Returns one row
/// that decode_idempotency() reads.
db_call idempotency_begin(const std::string& scope, const std::string& key,
                          const std::string& request_hash,
                          std::chrono::seconds lease);
/// Stores the first response.
db_call idempotency_finish(const std::string& scope, const std::string& key,
                           int64_t status, const std::string& body,
                           const std::string& headers);
/// Forgets a claim whose response is not stored (5xx, 429).
db_call idempotency_abort(const std::string& scope, const std::string& key);
/// One chunk of the sweep job: deletes at most `batch_size` entries older
/// than 24 hours; one row `touched`, `more`, `stale` (the job contract of
/// actors/job.hpp).
db_call idempotency_sweep(int64_t batch_size);

idempotency_state decode_idempotency(const row_set& rows);

} // namespace numina::storage
