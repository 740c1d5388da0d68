// Notifications of the caller: list them, mark some read
// (notifications.hpp: notifications_*).
#include "storage/keyset.hpp"
#include "storage/notification_statements.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

// Newest first: the index (user_id, created_at, id) read backwards, stopping
// after limit + 1 rows. created_at is whole seconds (0004 checks it), so the
// page key is exact.
const statement notifications_list_page{
    "notifications.list",
    "SELECT id, kind, payload, created_at, read_at IS NOT NULL AS read"
    " FROM notifications WHERE user_id = $1"
    "   AND (created_at, id) < (to_timestamp($2::float8), $3)"
    " ORDER BY created_at DESC, id DESC LIMIT $4::int + 1"};

namespace {

// Only the caller's, and only unread ones: marking twice keeps the first
// read time, and someone else's ids change nothing.
const statement mark_read_sql{
    "notifications.read",
    "UPDATE notifications SET read_at = whole_now()"
    " WHERE user_id = $1 AND id = ANY ($2::bigint[]) AND read_at IS NULL"};

// [user_id, after_at|NULL, after_id|NULL, limit] -> up to limit + 1
// notifications newest first.
row_set list(pqxx::work& tx, const params& p) {
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, notifications_list_page, p.i64(0),
                                   time_param_or(p, 1, open_high), after_id,
                                   page_limit(p, 3)));
}

// [user_id, ids as a bigint[] literal] -> nothing; affected counts the
// notifications marked.
row_set mark_read(pqxx::work& tx, const params& p) {
  return to_row_set(exec_statement(tx, mark_read_sql, p.i64(0), p.text(1)));
}

} // namespace

void add_notification_operations(std::vector<operation>& out) {
  out.push_back({"notifications.list", list, true});
  out.push_back({"notifications.read", mark_read});
}

} // namespace numina::storage
