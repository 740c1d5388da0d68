// Idempotency keys (idempotency.hpp): a claim row per (scope, key), taken
// before the handler runs and completed with the first response. Entries
// live 24 hours; an older one counts as absent.
#include "storage/operation.hpp"

namespace numina::storage {

namespace {

// Makes room for a new claim where the old one has expired, or where a
// claim is still running after its lease ($3 seconds): the request that
// took it can no longer finish (its process died), and without this the
// key would answer 409 for a day. Concurrent begins of the key serialise
// on the row: the second finds it gone.
const statement expire_sql{
    "idempotency.expire",
    "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2"
    " AND (created_at < now() - interval '24 hours'"
    "      OR (state = 'running'"
    "          AND created_at < now() - make_interval(secs => $3)))"};

// The claim. Of concurrent inserts of one key exactly one succeeds; the
// others wait for it on the primary key and then insert nothing.
const statement claim_sql{
    "idempotency.claim",
    "INSERT INTO idempotency_keys (scope, key, request_hash, state)"
    " VALUES ($1, $2, $3, 'running') ON CONFLICT (scope, key) DO NOTHING"
    " RETURNING 'fresh' AS state, NULL::int AS status, NULL::text AS body,"
    " NULL::text AS headers"};

// The claim someone else holds, as the caller sees it.
const statement existing_sql{
    "idempotency.existing",
    "SELECT CASE WHEN request_hash <> $3 THEN 'mismatch' ELSE state END"
    " AS state, status, body, headers FROM idempotency_keys"
    " WHERE scope = $1 AND key = $2"};

const statement finish_sql{
    "idempotency.finish",
    "UPDATE idempotency_keys SET state = 'done', status = $3, body = $4,"
    " headers = $5 WHERE scope = $1 AND key = $2 AND state = 'running'"};

// A stored response is never forgotten early: only a running claim goes.
const statement abort_sql{"idempotency.abort", "DELETE FROM idempotency_keys"
                                               " WHERE scope = $1 AND key = $2"
                                               " AND state = 'running'"};

// One chunk of the sweep job (actors/job.hpp): at most $1 expired keys.
const statement sweep_sql{
    "idempotency.sweep",
    "WITH gone AS (DELETE FROM idempotency_keys WHERE ctid IN ("
    "  SELECT ctid FROM idempotency_keys"
    "  WHERE created_at < now() - interval '24 hours' LIMIT $1)"
    " RETURNING 1)"
    " SELECT count(*) AS touched, count(*) = $1 AS more, '' AS stale"
    " FROM gone"};

// [scope, key, request_hash, lease_seconds] -> one row: state (fresh,
// running, mismatch, done), and status, body, headers when done.
row_set begin(pqxx::work& tx, const params& p) {
  exec_statement(tx, expire_sql, p.text(0), p.text(1), p.i64(3));
  // The row that made our insert do nothing may be gone by the time we
  // read it (aborted or expired meanwhile): then try to claim once more.
  for (int attempt = 1;; ++attempt) {
    pqxx::result claimed =
        exec_statement(tx, claim_sql, p.text(0), p.text(1), p.text(2));
    if (!claimed.empty())
      return to_row_set(claimed);
    pqxx::result existing =
        exec_statement(tx, existing_sql, p.text(0), p.text(1), p.text(2));
    if (!existing.empty())
      return to_row_set(existing);
    if (attempt == 3) {
      // Someone keeps claiming and dropping the key: say it is running
      // (409), and the client retries.
      row_set running;
      running.columns = {"state", "status", "body", "headers"};
      running.rows.push_back({cell::of(std::string{"running"}), cell::none(),
                              cell::none(), cell::none()});
      return running;
    }
  }
}

// [scope, key, status, body, headers] -> nothing (affected: 0 when the
// claim was gone).
row_set finish(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, finish_sql, p.text(0), p.text(1),
                                   p.i64(2), p.text(3), p.text(4)));
}

// [scope, key] -> nothing.
row_set abort_claim(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, abort_sql, p.text(0), p.text(1)));
}

// [batch_size] -> one row in the job contract: touched (keys removed),
// more (a full batch: there may be more), stale (nothing cached).
row_set sweep(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, sweep_sql, p.i64(0)));
}

} // namespace

void add_idempotency_operations(std::vector<operation>& out) {
  out.push_back({"idempotency.begin", begin});
  out.push_back({"idempotency.finish", finish});
  out.push_back({"idempotency.abort", abort_claim});
  out.push_back({"jobs.idempotency", sweep});
}

} // namespace numina::storage
