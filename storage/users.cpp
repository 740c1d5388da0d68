// Calls and decoders of users.hpp: parameter order here is the order the
// operations in auth_ops.cpp and users_ops.cpp read.
#include "storage/users.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

namespace {

cell opt_text(const std::optional<std::string>& s) {
  return s ? cell::of(*s) : cell::none();
}

// [id, after_at, after_id, limit]: the shape of both follow lists.
db_call follow_list(const char* op, int64_t id,
                    const std::optional<page_key>& after, int limit) {
  return {op,
          {cell::of(id), after ? cell::of(after->at) : cell::none(),
           after ? cell::of(after->id) : cell::none(),
           cell::of(int64_t{limit})}};
}

} // namespace

db_call auth_register(const std::string& email, const std::string& name,
                      const std::string& password_hash,
                      const std::string& token_hash) {
  return {"auth.register",
          {cell::of(email), cell::of(name), cell::of(password_hash),
           cell::of(token_hash)}};
}

db_call auth_user_by_email(const std::string& email) {
  return {"auth.user_by_email", {cell::of(email)}};
}

db_call auth_create_session(int64_t user_id, const std::string& token_hash) {
  return {"auth.create_session", {cell::of(user_id), cell::of(token_hash)}};
}

db_call auth_session_user(const std::string& token_hash) {
  return {"auth.session_user", {cell::of(token_hash)}};
}

db_call auth_revoke(const std::string& token_hash) {
  return {"auth.revoke", {cell::of(token_hash)}};
}

db_call users_get(int64_t id) {
  return {"users.get", {cell::of(id)}};
}

db_call users_patch(int64_t id, const std::optional<std::string>& name,
                    const std::optional<std::string>& bio) {
  return {"users.patch", {cell::of(id), opt_text(name), opt_text(bio)}};
}

db_call users_profile(int64_t id) {
  return {"users.profile", {cell::of(id)}};
}

db_call users_followers(int64_t id, const std::optional<page_key>& after,
                        int limit) {
  return follow_list("users.followers", id, after, limit);
}

db_call users_following(int64_t id, const std::optional<page_key>& after,
                        int limit) {
  return follow_list("users.following", id, after, limit);
}

std::vector<user_row> decode_users(const row_set& rows) {
  std::vector<user_row> out;
  if (rows.empty())
    return out;
  const size_t id = column(rows, "id");
  const size_t name = column(rows, "name");
  const size_t bio = column(rows, "bio");
  const size_t created_at = column(rows, "created_at");
  const size_t updated_at = column(rows, "updated_at");
  // A public profile has no email; only users.profile counts follows.
  const auto email = find_column(rows, "email");
  const auto followers = find_column(rows, "followers");
  const auto following = find_column(rows, "following");
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) {
    user_row u;
    u.id = as_i64(r[id]);
    u.name = r[name].text;
    u.bio = r[bio].text;
    u.created_at = as_time(r[created_at]);
    u.updated_at = as_time(r[updated_at]);
    if (email)
      u.email = r[*email].text;
    if (followers)
      u.followers = as_i64(r[*followers]);
    if (following)
      u.following = as_i64(r[*following]);
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<login_row> decode_logins(const row_set& rows) {
  std::vector<login_row> out;
  if (rows.empty())
    return out;
  const size_t hash = column(rows, "password_hash");
  auto users = decode_users(rows);
  out.reserve(users.size());
  for (size_t i = 0; i < users.size(); ++i)
    out.push_back({std::move(users[i]), rows.rows[i][hash].text});
  return out;
}

page<user_ref> decode_user_refs(const row_set& rows, int limit) {
  std::vector<user_ref> refs;
  if (!rows.empty()) {
    const size_t id = column(rows, "id");
    const size_t name = column(rows, "name");
    const size_t since = column(rows, "since");
    refs.reserve(rows.rows.size());
    for (const auto& r : rows.rows)
      refs.push_back({as_i64(r[id]), r[name].text, as_time(r[since])});
  }
  return split_page(std::move(refs), limit, [](const user_ref& u) {
    return page_key{u.since, u.id};
  });
}

std::optional<int64_t> decode_session_user(const row_set& rows) {
  if (rows.empty())
    return std::nullopt;
  return as_i64(rows.rows.front()[column(rows, "user_id")]);
}

} // namespace numina::storage
