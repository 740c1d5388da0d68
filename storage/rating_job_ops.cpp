// The rating aggregation job (reviews.hpp: jobs_ratings). Each call brings
// the aggregates of one chunk of new reviews up to date. Why a watermark on
// inserting transactions (xact) and not on review ids: xact_window.hpp.
//
// Exactness: a touched class's aggregate is recomputed from all its
// reviews, never adjusted by deltas, so a review processed twice (a retried
// chunk) cannot count twice. Runs are serialized by the lock on the job's
// job_state row, so a run that read fewer reviews can never write its
// aggregate after a run that read more.
#include <algorithm>

#include "storage/jobs.hpp"
#include "storage/operation.hpp"
#include "storage/review_statements.hpp"
#include "storage/xact_window.hpp"

namespace numina::storage {

// Only transactions older than the horizon (all finished) are read, in
// xact order; the caller includes the rest of the last transaction too, so
// a chunk always ends on a transaction boundary and the watermark can be
// one xact.
const statement rating_job_chunk{
    "jobs.ratings.chunk",
    "SELECT max(xact::text::bigint) AS last, count(*) AS n FROM ("
    " SELECT xact FROM reviews"
    "  WHERE xact > $1::text::xid8 AND xact < $2::text::xid8"
    "  ORDER BY xact LIMIT $3) chunk"};

// Each touched class is aggregated by a correlated subquery: it can only
// run as one index probe per class (reviews_class_user_key or
// reviews_class_created_at_idx), never as a join over the whole table,
// whatever a generic plan estimates for the xact range. Average as sum /
// count in float8: the correctly rounded quotient, the same value a client
// computes from the histogram. A class whose reviews are all gone gets
// count 0 and average NULL.
const statement rating_job_aggregate{
    "jobs.ratings.aggregate",
    "WITH touched AS ("
    "  SELECT DISTINCT class_id FROM reviews"
    "   WHERE xact > $1::text::xid8 AND xact <= $2::text::xid8)"
    " INSERT INTO rating_aggregates AS a"
    "  (class_id, average, count, h1, h2, h3, h4, h5, computed_at)"
    " SELECT t.class_id, s.total::float8 / nullif(s.n, 0), s.n,"
    "  s.h1, s.h2, s.h3, s.h4, s.h5, whole_now()"
    " FROM touched t CROSS JOIN LATERAL ("
    "  SELECT count(*) AS n, sum(r.rating) AS total,"
    "   count(*) FILTER (WHERE r.rating = 1) AS h1,"
    "   count(*) FILTER (WHERE r.rating = 2) AS h2,"
    "   count(*) FILTER (WHERE r.rating = 3) AS h3,"
    "   count(*) FILTER (WHERE r.rating = 4) AS h4,"
    "   count(*) FILTER (WHERE r.rating = 5) AS h5"
    "  FROM reviews r WHERE r.class_id = t.class_id) s"
    " ON CONFLICT (class_id) DO UPDATE SET average = excluded.average,"
    "  count = excluded.count, h1 = excluded.h1, h2 = excluded.h2,"
    "  h3 = excluded.h3, h4 = excluded.h4, h5 = excluded.h5,"
    "  computed_at = excluded.computed_at"
    " RETURNING class_id"};

namespace {

// Creates the job's row on the first run and locks it: a second run (on
// another node) waits here until this one commits, then reads the
// watermark this one wrote (ON CONFLICT DO UPDATE sees the newest row).
const statement claim_sql{
    "jobs.ratings.claim",
    "INSERT INTO job_state AS s (name) VALUES ('ratings')"
    " ON CONFLICT (name) DO UPDATE SET name = s.name"
    " RETURNING coalesce(s.watermark_id, 0) AS watermark"};

const statement advance_sql{"jobs.ratings.advance",
                            "UPDATE job_state SET watermark_id = $1,"
                            " last_run_at = whole_now(),"
                            " updated_at = whole_now() WHERE name = 'ratings'"};

// [batch_size] -> the job_chunk row: touched (classes re-aggregated), more,
// stale ("rating:<id>|" and "class:<id>|" per class, "classes:list").
row_set run(pqxx::work& tx, const params& p) {
  const int64_t batch = job_batch_size(p, 0);
  const auto window =
      read_xact_window(tx, exec_statement(tx, claim_sql)[0][0].as<int64_t>());
  const auto from = std::to_string(window.from);
  const pqxx::row chunk =
      exec_statement(tx, rating_job_chunk, from, window.horizon, batch)[0];
  job_chunk out;
  if (chunk["last"].is_null()) {
    exec_statement(tx, advance_sql, window.from);
    return job_chunk_rows(out);
  }
  const auto last = chunk["last"].as<int64_t>();
  const pqxx::result classes =
      exec_statement(tx, rating_job_aggregate, from, std::to_string(last));
  exec_statement(tx, advance_sql, last);
  std::vector<int64_t> ids;
  ids.reserve(classes.size());
  for (const auto& row : classes)
    ids.push_back(row[0].as<int64_t>());
  std::sort(ids.begin(), ids.end());
  // Keep in step with http/cache_keys.hpp (rating_prefix, cls_prefix,
  // class_lists): storage cannot include the http layer.
  for (auto id : ids) {
    out.stale.push_back("rating:" + std::to_string(id) + "|");
    out.stale.push_back("class:" + std::to_string(id) + "|");
  }
  if (!ids.empty())
    out.stale.emplace_back("classes:list");
  out.touched = static_cast<int64_t>(ids.size());
  // A full chunk may have left reviews behind; an empty next call ends it.
  out.more = chunk["n"].as<int64_t>() >= batch;
  return job_chunk_rows(out);
}

} // namespace

void add_rating_job_operations(std::vector<operation>& out) {
  out.push_back({"jobs.ratings", run});
}

} // namespace numina::storage
