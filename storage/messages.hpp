// Messages between two users and their conversations: the calls the HTTP
// layer makes and the rows they return. The SQL lives in messages_ops.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/db_call.hpp"
#include "storage/page.hpp"

namespace numina::storage {

struct message_row {
  int64_t id = 0;
  int64_t conversation_id = 0;
  int64_t from_user_id = 0;
  int64_t to_user_id = 0;
  std::string text;
  unix_seconds sent_at = 0;
};

/// One entry of a user's conversation list, seen from that user.
struct conversation_row {
  int64_t id = 0;
  int64_t other_user_id = 0;
  std::string other_user_name;
  /// The time of the newest message (the list's order); equals
  /// last_message->sent_at.
  unix_seconds last_message_at = 0;
  /// Empty only if the conversation has lost all its messages (a
  /// conversation is never created without one).
  std::optional<message_row> last_message;
};

/// Sends a message from `from` to `to`: finds or creates the pair's one
/// conversation and stores the message in one transaction. Refuses
/// validation_failed (field to_user_id) for `from == to` and not_found for
/// an unknown recipient. Returns the message row.
db_call messages_send(int64_t from, int64_t to, const std::string& text);

/// The caller's conversations, most recent first (by the time of the last
/// message, then id, descending), each with its last message; fetches
/// limit + 1 rows.
db_call messages_conversations(int64_t user_id,
                               const std::optional<page_key>& after, int limit);

/// The messages of one conversation, newest first (sent_at, id descending);
/// fetches limit + 1 rows. not_found for an unknown conversation, forbidden
/// when the caller is not one of its two users.
db_call messages_of_conversation(int64_t conversation_id, int64_t caller,
                                 const std::optional<page_key>& after,
                                 int limit);

// -- decoders (pure) ----------------------------------------------------------

std::vector<message_row> decode_messages(const row_set& rows);
/// Splits limit + 1 rows into a page keyed by (sent_at, id).
page<message_row> decode_message_page(const row_set& rows, int limit);
/// Splits limit + 1 rows into a page keyed by (last_message_at, id).
page<conversation_row> decode_conversation_page(const row_set& rows, int limit);

} // namespace numina::storage
