#include "storage/xact_window.hpp"

namespace numina::storage {

namespace {

// `horizon` is the oldest transaction still running, ours included (only
// conservative: ours writes no rows the jobs read); `next` the first id not
// yet handed out. Each statement of a READ COMMITTED transaction takes a
// new snapshot, so what the job reads next sees every transaction below
// the horizon.
const statement horizon_sql{
    "jobs.xact_horizon",
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,"
    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next"};

} // namespace

xact_window read_xact_window(pqxx::work& tx, int64_t watermark) {
  const pqxx::row h = exec_statement(tx, horizon_sql)[0];
  xact_window w;
  w.reset = watermark >= h["next"].as<int64_t>();
  w.from = w.reset ? 0 : watermark;
  w.horizon = h["horizon"].as<std::string>();
  return w;
}

int64_t job_batch_size(const params& p, size_t i) {
  const int64_t batch = p.i64(i);
  if (batch < 1)
    throw domain_error(
        failure::of(error_code::internal, "batch size must be positive"));
  return batch;
}

} // namespace numina::storage
