// Registration, login lookup and sessions (users.hpp: auth_*). Sessions are
// keyed by the hash of the bearer token; the token itself is never stored.
#include "storage/operation.hpp"
#include "storage/user_sql.hpp"

namespace numina::storage {

namespace {

const statement insert_user{
    "auth.insert_user",
    "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)"
    " RETURNING " NUMINA_USER_COLUMNS};

const statement insert_session{
    "auth.insert_session",
    "INSERT INTO sessions (token_hash, user_id) VALUES ($1, $2)"};

// lower(email) on both sides: the one form users_email_lower_key indexes.
const statement user_by_email_sql{"auth.user_by_email",
                                  "SELECT " NUMINA_USER_COLUMNS
                                  ", password_hash FROM users"
                                  " WHERE lower(email) = lower($1)"};

const statement session_user_sql{
    "auth.session_user", "SELECT user_id FROM sessions"
                         " WHERE token_hash = $1 AND revoked_at IS NULL"};

// Keeps the first revocation time: a repeated logout changes nothing.
const statement revoke_sql{"auth.revoke",
                           "UPDATE sessions SET revoked_at = whole_now()"
                           " WHERE token_hash = $1 AND revoked_at IS NULL"};

// [email, name, password_hash, token_hash] -> the new user row.
row_set register_user(pqxx::work& tx, const params& p) {
  pqxx::result user;
  try {
    user = exec_statement(tx, insert_user, p.text(0), p.text(1), p.text(2));
  } catch (const pqxx::unique_violation&) {
    // The only unique key of users is lower(email). A concurrent register
    // of the same address waits for ours on the index and lands here.
    throw domain_error(failure::of(error_code::email_taken));
  }
  exec_statement(tx, insert_session, p.text(3), user[0]["id"].c_str());
  return to_row_set(user);
}

// [email] -> the user row and its password_hash, or no row.
row_set user_by_email(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, user_by_email_sql, p.text(0)));
}

// [user_id, token_hash] -> nothing; not_found when the user is gone.
row_set create_session(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, insert_session, p.text(1), p.i64(0)));
}

// [token_hash] -> user_id of a live session, or no row.
row_set session_user(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, session_user_sql, p.text(0)));
}

// [token_hash] -> nothing (affected: 1 when this call revoked it).
row_set revoke(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, revoke_sql, p.text(0)));
}

} // namespace

void add_auth_operations(std::vector<operation>& out) {
  out.push_back({"auth.register", register_user});
  out.push_back({"auth.user_by_email", user_by_email, true});
  out.push_back({"auth.create_session", create_session});
  out.push_back({"auth.session_user", session_user, true});
  out.push_back({"auth.revoke", revoke});
}

} // namespace numina::storage
