// What a background job's storage operation answers for one chunk of work
// (actors/job.hpp runs the operation until `more` is false): one row with
// `touched` (rows the chunk changed), `more` (another chunk may have work)
// and `stale` (cache key prefixes the chunk made stale, one per line).
// Pure: no libpqxx, so tests and the job actor can read it too.
#pragma once

#include <string>
#include <vector>

#include "storage/db_call.hpp"

namespace numina::storage {

struct job_chunk {
  int64_t touched = 0;
  bool more = false;
  std::vector<std::string> stale; // cache key prefixes
};

/// The one-row answer of a job operation.
row_set job_chunk_rows(const job_chunk& c);

/// Reads that answer back; throws std::out_of_range or
/// std::invalid_argument when `rows` is not one.
job_chunk decode_job_chunk(const row_set& rows);

} // namespace numina::storage
