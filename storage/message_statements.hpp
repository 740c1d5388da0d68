// Internal to storage/: the statements behind the message and match
// operations, named here so that tests/storage/messages_test.cpp can
// EXPLAIN exactly what runs (as list_statements.hpp does for the others).
// Each is defined beside its operation.
#pragma once

#include "storage/operation.hpp"

namespace numina::storage {

/// messages.send: finds or creates the pair's conversation and inserts the
/// message, one statement. $1 sender, $2 recipient, $3 text.
extern const statement message_send_sql;
/// messages.conversations: conversations_user_a_idx and
/// conversations_user_b_idx, then one messages_conversation_sent_at_idx
/// probe per row. $1 user id, $2 after time, $3 after id, $4 limit.
extern const statement conversations_list;
/// messages.of_conversation: messages_conversation_sent_at_idx.
/// $1 conversation id, $2 after time, $3 after id, $4 limit.
extern const statement conversation_messages_list;
/// matches.of: the caller's bookings by bookings_user_starts_at_idx, the
/// other bookings of those classes by bookings_class_user_key.
/// $1 user id, $2 after score, $3 after user id, $4 limit.
extern const statement matches_list;

} // namespace numina::storage
