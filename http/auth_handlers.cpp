// POST /api/v1/auth/register, /login, /logout (api.md section 3, Auth).
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/resources.hpp"
#include "http/routes.hpp"
#include "http/tokens.hpp"
#include "storage/users.hpp"

namespace numina::http {

namespace {

// Verified against when the email is unknown, so that a wrong email costs
// as long as a wrong password and does not reveal who has an account.
// argon2id, opslimit 2, 64 MiB: the default cost.
// A real hash (a malformed one would fail fast and give the game away).
constexpr const char* decoy_hash =
    "$argon2id$v=19$m=65536,t=2,p=1$WNf3eMQ84o2xs1kD2E8mAw$"
    "HI4Jo75fXyIPwfzLw9mtoA0ENO4E/bCK6iitC3akqkM";

// local@domain with a dot in the domain: no blanks, one @, non-empty parts,
// the domain's dot neither first nor last.
bool looks_like_email(std::string_view e) {
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 ||
      e.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : e)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return false;
  auto domain = e.substr(at + 1);
  auto dot = domain.find('.');
  return dot != std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.';
}

std::string token_and_user(const std::string& token,
                           const storage::user_row& user) {
  json_writer w;
  w.begin_object().field("token", token).key("user");
  render_own_user(w, user);
  w.end_object();
  return std::move(w).str();
}

void register_user(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"email", "password", "name"}};
  auto email = r.text("email", 3, 254, true);
  auto password = r.text("password", 8, 128, true);
  auto name = r.text("name", 1, 100, true);
  if (failed(ex, r))
    return;
  if (!looks_like_email(*email)) {
    ex->fail(failure::invalid("email", "email must look like local@domain"));
    return;
  }
  ex->svc.gate.hash_password(
      *password, ex->on_executor([ex, email = *email,
                                  name = *name](outcome<std::string> hash) {
        if (!hash) {
          ex->fail(hash.error());
          return;
        }
        auto token = new_token();
        ex->svc.gate.query(
            storage::auth_register(email, name, hash.value(),
                                   token_hash(token)),
            ex->on_executor([ex, token](outcome<storage::row_set> rows) {
              if (!rows) {
                ex->fail(rows.error());
                return;
              }
              auto users = storage::decode_users(rows.value());
              if (users.empty()) {
                ex->fail(failure::of(error_code::internal));
                return;
              }
              ex->respond(json_with(token_and_user(token, users.front()), 201,
                                    cache_policy::never));
            }));
      }));
}

void open_session(const exchange_ptr& ex, storage::user_row user) {
  auto token = new_token();
  auto call = storage::auth_create_session(user.id, token_hash(token));
  ex->svc.gate.query(std::move(call),
                     ex->on_executor([ex, token, user = std::move(user)](
                                         outcome<storage::row_set> rows) {
                       if (!rows) {
                         ex->fail(rows.error());
                         return;
                       }
                       ex->respond(json_with(token_and_user(token, user), 200,
                                             cache_policy::never));
                     }));
}

void login(const exchange_ptr& ex) {
  auto body = read_body(ex);
  if (!body)
    return;
  body_reader r{*body, {"email", "password"}};
  auto email = r.text("email", 1, 254, true);
  auto password = r.text("password", 1, 1024, true);
  if (failed(ex, r))
    return;
  ex->svc.gate.query(
      storage::auth_user_by_email(*email),
      ex->on_executor(
          [ex, password = *password](outcome<storage::row_set> rows) {
            if (!rows) {
              ex->fail(rows.error());
              return;
            }
            auto found = storage::decode_logins(rows.value());
            const bool known = !found.empty();
            auto stored = known ? found.front().password_hash : decoy_hash;
            ex->svc.gate.verify_password(
                password, stored,
                ex->on_executor([ex, known, found](outcome<bool> ok) {
                  if (!ok) {
                    ex->fail(ok.error());
                    return;
                  }
                  if (!known || !ok.value()) {
                    ex->fail(failure::of(error_code::invalid_credentials));
                    return;
                  }
                  open_session(ex, found.front().user);
                }));
          }));
}

void logout(const exchange_ptr& ex) {
  ex->svc.gate.query(storage::auth_revoke(ex->token_hash),
                     ex->on_executor([ex](outcome<storage::row_set> rows) {
                       if (!rows) {
                         ex->fail(rows.error());
                         return;
                       }
                       // Drop the cached lookup: the token fails at once.
                       invalidate_then_respond(
                           ex, {cache_keys::session(ex->token_hash)}, {},
                           no_content());
                     }));
}

} // namespace

void add_auth_routes(router& r) {
  r.add("POST", "/api/v1/auth/register", auth_kind::none, register_user);
  r.add("POST", "/api/v1/auth/login", auth_kind::none, login);
  r.add("POST", "/api/v1/auth/logout", auth_kind::user, logout);
}

} // namespace numina::http
