#include "storage/jobs.hpp"

#include <stdexcept>
#include <string_view>

#include "storage/rows.hpp"

namespace numina::storage {

row_set job_chunk_rows(const job_chunk& c) {
  std::string stale;
  for (const auto& prefix : c.stale) {
    if (!stale.empty())
      stale += '\n';
    stale += prefix;
  }
  row_set out;
  out.columns = {"touched", "more", "stale"};
  // PostgreSQL's text form of a boolean, as as_bool() reads it.
  out.rows.push_back({cell::of(c.touched),
                      cell::of(std::string{c.more ? "t" : "f"}),
                      cell::of(std::move(stale))});
  return out;
}

job_chunk decode_job_chunk(const row_set& rows) {
  if (rows.rows.size() != 1)
    throw std::invalid_argument("a job chunk is one row");
  const auto& row = rows.rows.front();
  job_chunk out;
  out.touched = as_i64(row.at(column(rows, "touched")));
  out.more = as_bool(row.at(column(rows, "more")));
  std::string_view text = row.at(column(rows, "stale")).text;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl != 0)
      out.stale.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

} // namespace numina::storage
