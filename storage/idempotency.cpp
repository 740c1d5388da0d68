// Calls and decoder of idempotency.hpp: parameter order here is the order
// the operations in idempotency_ops.cpp read.
#include "storage/idempotency.hpp"

#include <stdexcept>

#include "storage/rows.hpp"

namespace numina::storage {

db_call idempotency_begin(const std::string& scope, const std::string& key,
                          const std::string& request_hash,
                          std::chrono::seconds lease) {
  return {"idempotency.begin",
          {cell::of(scope), cell::of(key), cell::of(request_hash),
           cell::of(static_cast<int64_t>(lease.count()))}};
}

db_call idempotency_finish(const std::string& scope, const std::string& key,
                           int64_t status, const std::string& body,
                           const std::string& headers) {
  return {"idempotency.finish",
          {cell::of(scope), cell::of(key), cell::of(status), cell::of(body),
           cell::of(headers)}};
}

db_call idempotency_abort(const std::string& scope, const std::string& key) {
  return {"idempotency.abort", {cell::of(scope), cell::of(key)}};
}

db_call idempotency_sweep(int64_t batch_size) {
  return {"jobs.idempotency", {cell::of(batch_size)}};
}

idempotency_state decode_idempotency(const row_set& rows) {
  if (rows.empty())
    throw std::invalid_argument("idempotency.begin returned no row");
  const auto& r = rows.rows.front();
  const std::string& state = r[column(rows, "state")].text;
  idempotency_state out;
  if (state == "fresh") {
    out.state = idempotency_state::kind::fresh;
  } else if (state == "running") {
    out.state = idempotency_state::kind::running;
  } else if (state == "mismatch") {
    out.state = idempotency_state::kind::mismatch;
  } else if (state == "done") {
    out.state = idempotency_state::kind::done;
    out.status = as_i64(r[column(rows, "status")]);
    out.body = r[column(rows, "body")].text;
    out.headers = r[column(rows, "headers")].text;
  } else {
    throw std::invalid_argument("unknown idempotency state " + state);
  }
  return out;
}

} // namespace numina::storage
