// Notifications: calls and rows. The notification job (notification_job_ops
// .cpp) writes them; notifications_ops.cpp lists them and marks them read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct notification_row {
  int64_t id = 0;
  std::string kind;    // new_follower, new_message, class_reminder
  std::string payload; // a JSON object, as PostgreSQL wrote it
  unix_seconds created_at = 0;
  bool read = false;
};

/// The user's notifications newest first, by (created_at, id) descending;
/// fetches limit + 1.
db_call notifications_list(int64_t user_id,
                           const std::optional<page_key>& after, int limit);
/// Marks those of `ids` that belong to the user and are unread as read;
/// others are left alone. `affected` counts the ones it marked.
db_call notifications_mark_read(int64_t user_id,
                                const std::vector<int64_t>& ids);
/// One chunk of the notification job (storage/jobs.hpp's answer).
db_call jobs_notifications(int64_t batch_size);

page<notification_row> decode_notification_page(const row_set& rows, int limit);

} // namespace numina::storage
