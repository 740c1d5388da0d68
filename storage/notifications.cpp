// Calls and decoders of notifications.hpp: parameter order here is the
// order the operations in notifications_ops.cpp and
// notification_job_ops.cpp read.
#include "storage/notifications.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

db_call notifications_list(int64_t user_id,
                           const std::optional<page_key>& after, int limit) {
  return {"notifications.list",
          {cell::of(user_id), after ? cell::of(after->at) : cell::none(),
           after ? cell::of(after->id) : cell::none(),
           cell::of(int64_t{limit})}};
}

db_call notifications_mark_read(int64_t user_id,
                                const std::vector<int64_t>& ids) {
  // A PostgreSQL array literal, bound as one bigint[] parameter.
  std::string array = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0)
      array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  return {"notifications.read", {cell::of(user_id), cell::of(array)}};
}

db_call jobs_notifications(int64_t batch_size) {
  return {"jobs.notifications", {cell::of(batch_size)}};
}

page<notification_row> decode_notification_page(const row_set& rows,
                                                int limit) {
  std::vector<notification_row> items;
  if (!rows.empty()) {
    const size_t id = column(rows, "id");
    const size_t kind = column(rows, "kind");
    const size_t payload = column(rows, "payload");
    const size_t created_at = column(rows, "created_at");
    const size_t read = column(rows, "read");
    items.reserve(rows.rows.size());
    for (const auto& r : rows.rows) {
      notification_row n;
      n.id = as_i64(r[id]);
      n.kind = r[kind].text;
      n.payload = r[payload].text;
      n.created_at = as_time(r[created_at]);
      n.read = as_bool(r[read]);
      items.push_back(std::move(n));
    }
  }
  return split_page(std::move(items), limit, [](const notification_row& n) {
    return page_key{n.created_at, n.id};
  });
}

} // namespace numina::storage
