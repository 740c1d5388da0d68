// Internal to storage/: the statements of the notifications feature whose
// plans tests/storage/notifications_test.cpp checks (EXPLAIN of exactly
// what runs). Each is defined beside its operation.
#pragma once

#include "storage/operation.hpp"

namespace numina::storage {

/// notifications.list: notifications_user_created_at_idx read backwards.
/// $1 user id, $2 after time, $3 after id, $4 limit.
extern const statement notifications_list_page;
/// jobs.notifications: the next chunk of follows and messages by inserting
/// transaction (follows_xact_idx, messages_xact_idx; migration 0004).
/// $1 watermark, $2 horizon, $3 size.
extern const statement notification_job_chunk;
/// jobs.notifications: reminders for bookings of classes starting within
/// the next hour that have none yet (classes_starts_at_idx, then
/// bookings_class_user_key and notifications_dedup_key). $1 size.
extern const statement notification_job_reminders;

} // namespace numina::storage
