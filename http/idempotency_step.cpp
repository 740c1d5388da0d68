#include "core/log.hpp"
#include "core/utf8.hpp"
#include "http/client_ip.hpp"
#include "http/json_body.hpp"
#include "http/steps.hpp"
#include "http/tokens.hpp"
#include "storage/idempotency.hpp"

namespace numina::http {

namespace {

// How long a claim may stay `running` before it counts as left behind by a
// process that died: ten times the longest one database call may take,
// and at least ten minutes, which is far beyond any request (a few calls
// and at most one password hash).
std::chrono::seconds claim_lease(const config::settings& s) {
  const auto per_call = std::chrono::duration_cast<std::chrono::seconds>(
      s.database.acquire_timeout + s.database.statement_timeout);
  return std::max<std::chrono::seconds>(std::chrono::minutes(10),
                                        10 * per_call);
}

// "The same body" means the same JSON value once parsed; a body that is no
// JSON at all is compared byte for byte.
std::string fingerprint(const std::string& body) {
  auto parsed = parse_json_object(body);
  if (parsed)
    return hex_digest("json:" + canonical_json(parsed.value()));
  return hex_digest("raw:" + body);
}

bool stored_status(unsigned status) {
  return status < 500 && status != 429;
}

// Stores (or forgets) the first answer under the key, then sends it. The
// answer waits for the database so that a retry arriving right after it
// sees `done`, not `running`.
exchange::responder store_then_send(services& svc, exchange::poster post,
                                    std::string scope, std::string key,
                                    exchange::responder send) {
  return [&svc, post = std::move(post), scope = std::move(scope),
          key = std::move(key), send = std::move(send)](response r) {
    auto call =
        stored_status(r.status)
            ? storage::idempotency_finish(scope, key, r.status, r.body, "")
            : storage::idempotency_abort(scope, key);
    auto shared = std::make_shared<response>(std::move(r));
    svc.gate.query(std::move(call),
                   [post, send, shared](outcome<storage::row_set> rows) {
                     if (!rows)
                       log_warn("idempotency", "could not store an answer: " +
                                                   rows.error().message);
                     post([send, shared] { send(std::move(*shared)); });
                   });
  };
}

} // namespace

void apply_idempotency(const route& r, const exchange_ptr& ex, next_step next) {
  auto& req = ex->req;
  if (req.method != "POST" || !req.has_header("idempotency-key")) {
    next(r, ex);
    return;
  }
  auto key = std::string{req.header("idempotency-key")};
  if (key.empty() || key.size() > 128 || !printable_ascii(key)) {
    ex->fail(failure::invalid("Idempotency-Key",
                              "Idempotency-Key must be 1 to 128 printable "
                              "characters"));
    return;
  }
  // Anonymous callers are told apart by client IP, as the rate limits do.
  auto caller =
      ex->user_id != 0
          ? "user:" + std::to_string(ex->user_id)
          : "ip:" + client_ip_of(req, ex->svc.settings.http.trusted_proxies);
  auto scope = caller + " POST " + req.path;
  const route* matched = &r;
  ex->svc.gate.query(
      storage::idempotency_begin(scope, key, fingerprint(req.body),
                                 claim_lease(ex->svc.settings)),
      ex->on_executor([ex, matched, next, scope,
                       key](outcome<storage::row_set> rows) {
        if (!rows) {
          ex->fail(rows.error());
          return;
        }
        auto st = storage::decode_idempotency(rows.value());
        using kind = storage::idempotency_state::kind;
        switch (st.state) {
        case kind::mismatch:
          ex->fail(failure::of(error_code::idempotency_mismatch));
          return;
        case kind::running:
          ex->fail(failure::of(error_code::conflict,
                               "A request with this Idempotency-Key is still "
                               "running."));
          return;
        case kind::done: {
          response replay;
          replay.status = static_cast<unsigned>(st.status);
          replay.body = std::move(st.body);
          if (replay.body.empty())
            replay.content_type.clear();
          replay.set("Cache-Control", "no-store");
          replay.set("Idempotent-Replayed", "true");
          ex->respond(std::move(replay));
          return;
        }
        case kind::fresh:
          break;
        }
        auto& svc = ex->svc;
        auto post = ex->executor_poster();
        ex->wrap_responder([&svc, post, scope, key](exchange::responder send) {
          return store_then_send(svc, post, scope, key, std::move(send));
        });
        next(*matched, ex);
      }));
}

} // namespace numina::http
