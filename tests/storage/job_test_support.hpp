// What the suites of the background jobs' operations (storage_reviews,
// storage_notifications) share: running a job operation until it says there
// is no more work, and the plans of the statements behind it.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "storage/jobs.hpp"
#include "storage/operation.hpp"
#include "tests/storage/storage_fixture.hpp"

namespace numina::testing {

/// Calls `chunk` (which runs the job's operation once and returns its
/// answer) until an answer says no more; every answer. Fails the test when
/// that takes more than 1000 calls.
template <class Chunk> std::vector<storage::job_chunk> run_to_end(Chunk chunk) {
  std::vector<storage::job_chunk> chunks;
  for (int i = 0; i < 1000; ++i) {
    chunks.push_back(chunk());
    if (!chunks.back().more)
      return chunks;
  }
  CAF_ERROR("the job never ran out of work");
  return chunks;
}

/// The sum of the chunks' `touched`.
inline int64_t touched(const std::vector<storage::job_chunk>& chunks) {
  int64_t n = 0;
  for (const auto& c : chunks)
    n += c.touched;
  return n;
}

/// storage_fixture::query_plan of `s`, logged, so that a failed check
/// shows the plan.
inline std::string logged_plan(storage_fixture& db, const storage::statement& s,
                               const std::string& args, bool generic) {
  auto text = db.query_plan(s.sql, args, generic);
  CAF_MESSAGE(s.name << (generic ? " (generic)" : " (custom)") << ":\n"
                     << text);
  return text;
}

/// Whether `plan` reads through `index` (a plain, backward, index-only or
/// bitmap index scan).
inline bool reads_index(const std::string& plan, const std::string& index) {
  return std::regex_search(
      plan, std::regex("(Index|Index Only) Scan( Backward)? using " + index +
                       " |Bitmap Index Scan on " + index + " "));
}

} // namespace numina::testing
