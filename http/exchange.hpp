// One request in flight: what a handler gets. A handler answers exactly once
// with respond(), now or later; a later answer must come from the
// connection's executor, which on_executor() arranges for callbacks that
// the actor side runs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"
#include "http/services.hpp"

namespace numina::http {

class exchange {
public:
  using poster = std::function<void(std::function<void()>)>;
  using responder = std::function<void(response)>;

  exchange(request r, services& s, poster post, responder respond)
    : req(std::move(r)), svc(s), post_(std::move(post)),
      respond_(std::move(respond)) {}

  request req;
  services& svc;
  /// Path parameters by name, as matched by the router.
  std::vector<std::pair<std::string, std::string>> params;

  /// The signed-in user on auth_kind::user routes, else 0.
  int64_t user_id = 0;
  /// Hash of the bearer token that authenticated the request (logout).
  std::string token_hash;

  /// A GET under /api/v1: respond() gives a 200 that brings no ETag of
  /// its own (answers from the cache do) its validators, gzip and Vary
  /// (finish_get), before the wrapped steps add their headers.
  bool finish_get = false;

  /// A path parameter the router validated as a positive 64-bit id.
  int64_t id(std::string_view name) const;

  /// Runs `f` on this connection's executor.
  void post(std::function<void()> f) const { post_(std::move(f)); }

  /// Puts a step between the handler's answer and the connection: `wrap`
  /// gets the current responder and returns the one to use instead. The
  /// step must not capture the exchange (that would be a cycle).
  void wrap_responder(const std::function<responder(responder)>& wrap) {
    respond_ = wrap(std::move(respond_));
  }
  const poster& executor_poster() const noexcept { return post_; }

  void respond(response r);
  void fail(const failure& f) { respond(error_response(f)); }
  bool answered() const noexcept { return answered_; }

  /// Wraps `f` so that calling the result from any thread runs `f` with
  /// the same arguments on this connection's executor.
  template <class F> auto on_executor(F f) {
    return [post = post_, f = std::move(f)](auto result) mutable {
      post([f, result = std::move(result)]() mutable { f(std::move(result)); });
    };
  }

private:
  poster post_;
  responder respond_;
  bool answered_ = false;
};

using exchange_ptr = std::shared_ptr<exchange>;

} // namespace numina::http
