// Users, sessions and follower lists: the calls the HTTP layer makes and the
// rows they return. The SQL lives in users_ops.cpp / auth_ops.cpp.
#pragma once

#include <optional>
#include <string>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct user_row {
  int64_t id = 0;
  std::string email;
  std::string name;
  std::string bio;
  unix_seconds created_at = 0;
  unix_seconds updated_at = 0;
  int64_t followers = 0; // filled by users.profile only
  int64_t following = 0; // filled by users.profile only
};

struct login_row {
  user_row user;
  std::string password_hash;
};

/// One entry of a follower or following list.
struct user_ref {
  int64_t id = 0;
  std::string name;
  unix_seconds since = 0; // when the follow happened (the list's order)
};

// -- auth ---------------------------------------------------------------------

/// Creates the user and its first session in one transaction.
/// Fails with email_taken when lower(email) exists. Returns a user row.
db_call auth_register(const std::string& email, const std::string& name,
                      const std::string& password_hash,
                      const std::string& token_hash);
/// The user with that email (case-insensitive) and its password hash; no
/// row when there is none.
db_call auth_user_by_email(const std::string& email);
/// Opens a session for a user. Returns nothing of interest.
db_call auth_create_session(int64_t user_id, const std::string& token_hash);
/// The user id of a live (not revoked) session; no row otherwise.
db_call auth_session_user(const std::string& token_hash);
/// Revokes one session (idempotent).
db_call auth_revoke(const std::string& token_hash);

// -- users --------------------------------------------------------------------

db_call users_get(int64_t id); // own object; no row when missing
/// Sets name and/or bio (a missing optional keeps the value) and
/// updated_at; returns the new row; no row when the user is missing.
db_call users_patch(int64_t id, const std::optional<std::string>& name,
                    const std::optional<std::string>& bio);
db_call users_profile(int64_t id); // with follower/following counts
/// Newest follow first; `after` continues a previous page.
db_call users_followers(int64_t id, const std::optional<page_key>& after,
                        int limit);
db_call users_following(int64_t id, const std::optional<page_key>& after,
                        int limit);

// -- decoders (pure) ----------------------------------------------------------

std::vector<user_row> decode_users(const row_set& rows);
std::vector<login_row> decode_logins(const row_set& rows);
/// Splits limit + 1 rows into a page.
page<user_ref> decode_user_refs(const row_set& rows, int limit);
std::optional<int64_t> decode_session_user(const row_set& rows);

} // namespace numina::storage
