#include "http/cache_keys.hpp"
#include "http/pipeline.hpp"
#include "http/steps.hpp"
#include "http/tokens.hpp"
#include "storage/users.hpp"

namespace numina::http {

namespace {

// The token lookup's answer: the user's id, or 404 for an unknown token.
void admit(const actors::cached_entry& e, const std::string& hash,
           const route& r, const exchange_ptr& ex, next_step next) {
  if (e.status != 200) {
    ex->fail(failure::of(error_code::unauthorized));
    return;
  }
  ex->user_id = std::stoll(*e.body);
  ex->token_hash = hash;
  next(r, ex);
}

} // namespace

void authenticate_user(const route& r, const exchange_ptr& ex, next_step next) {
  auto token = bearer_token(ex->req);
  if (token.empty()) {
    ex->fail(failure::of(error_code::unauthorized));
    return;
  }
  auto hash = token_hash(token);
  auto key = cache_keys::session(hash);
  // The hot path: a fresh token lookup needs no hop to an actor.
  if (auto hit = ex->svc.gate.cached_fresh(key, false)) {
    admit(*hit, hash, r, ex, next);
    return;
  }
  const route* matched = &r;
  // Token lookups read through the cache: a hot read needs no database.
  actors::cache_read read;
  read.key = std::move(key);
  read.ttl = ex->svc.settings.cache.ttl_sessions;
  read.load = storage::auth_session_user(hash);
  read.render = [](const storage::row_set& rows) -> outcome<actors::rendered> {
    auto user = storage::decode_session_user(rows);
    if (!user)
      return actors::rendered{404, {}, 0};
    return actors::rendered{200, std::to_string(*user), 0};
  };
  ex->svc.gate.cached(
      std::move(read),
      ex->on_executor([ex, hash, matched, next](actors::cache_answer a) {
        if (!a.entry) {
          ex->fail(a.error);
          return;
        }
        admit(*a.entry, hash, *matched, ex, next);
      }));
}

} // namespace numina::http
