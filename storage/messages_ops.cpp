// Messages: send, list one's conversations, read one conversation
// (messages.hpp: messages_*). A pair of users has exactly one conversation,
// stored with user_a < user_b under the unique key conversations_pair_key.
#include "storage/keyset.hpp"
#include "storage/message_statements.hpp"
#include "storage/messages.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

// One statement, so finding or creating the conversation and storing the
// message commit together. INSERT ... ON CONFLICT is PostgreSQL's atomic
// upsert: of several first messages of a pair sent at once, one inserts the
// conversation and the others wait for it and take the DO UPDATE branch,
// never a unique violation. DO UPDATE also locks the conversation row, so
// sends to one conversation queue, and greatest() keeps last_message_at from
// moving back when a transaction that started a second earlier commits
// later. sent_at and the new last_message_at are the same whole_now() (one
// transaction, one now()).
const statement message_send_sql{
    "messages.send",
    "WITH c AS (INSERT INTO conversations (user_a, user_b)"
    " VALUES (least($1::bigint, $2::bigint), greatest($1::bigint, $2::bigint))"
    " ON CONFLICT (user_a, user_b) DO UPDATE SET last_message_at ="
    " greatest(conversations.last_message_at, EXCLUDED.last_message_at)"
    " RETURNING id)"
    " INSERT INTO messages (conversation_id, sender_id, recipient_id, text)"
    " SELECT c.id, $1, $2, $3 FROM c"
    " RETURNING id, conversation_id, sender_id AS from_user_id,"
    " recipient_id AS to_user_id, text, sent_at"};

// The caller is user_a of some conversations and user_b of others: each
// side is one range of its own index, read newest first and cut at the
// page size, and the two short lists are merged. (An OR of both sides
// could use neither index for the order.) Then per conversation the other
// user (a users_pkey probe) and the last message (the first entry of
// messages_conversation_sent_at_idx read backwards).
const statement conversations_list{
    "messages.conversations",
    "SELECT c.id, c.other_user_id, u.name AS other_user_name,"
    " c.last_message_at, m.id AS message_id,"
    " m.sender_id AS message_from_user_id,"
    " m.recipient_id AS message_to_user_id, m.text AS message_text,"
    " m.sent_at AS message_sent_at"
    " FROM ((SELECT id, user_b AS other_user_id, last_message_at"
    "         FROM conversations WHERE user_a = $1"
    "          AND (last_message_at, id) < (to_timestamp($2::float8), $3)"
    "        ORDER BY last_message_at DESC, id DESC LIMIT $4::int + 1)"
    "       UNION ALL"
    "       (SELECT id, user_a AS other_user_id, last_message_at"
    "         FROM conversations WHERE user_b = $1"
    "          AND (last_message_at, id) < (to_timestamp($2::float8), $3)"
    "        ORDER BY last_message_at DESC, id DESC LIMIT $4::int + 1)"
    "       ORDER BY last_message_at DESC, id DESC LIMIT $4::int + 1) c"
    " JOIN users u ON u.id = c.other_user_id"
    " LEFT JOIN LATERAL (SELECT id, sender_id, recipient_id, text, sent_at"
    "   FROM messages WHERE conversation_id = c.id"
    "  ORDER BY sent_at DESC, id DESC LIMIT 1) m ON true"
    " ORDER BY c.last_message_at DESC, c.id DESC"};

const statement conversation_messages_list{
    "messages.of_conversation",
    "SELECT id, conversation_id, sender_id AS from_user_id,"
    " recipient_id AS to_user_id, text, sent_at"
    " FROM messages WHERE conversation_id = $1"
    "  AND (sent_at, id) < (to_timestamp($2::float8), $3)"
    " ORDER BY sent_at DESC, id DESC LIMIT $4::int + 1"};

namespace {

const statement participants_sql{"messages.participants",
                                 "SELECT user_a, user_b FROM conversations"
                                 " WHERE id = $1"};

// [from, to, text] -> the message row: validation_failed (to_user_id) for
// a message to oneself, not_found for an unknown recipient.
row_set send(pqxx::work& tx, const params& p) {
  const int64_t from = p.i64(0);
  const int64_t to = p.i64(1);
  // The HTTP layer checks this first; the CHECKs of 0001 are the backstop.
  if (from == to)
    throw domain_error(
        failure::invalid("to_user_id", "You cannot message yourself."));
  try {
    return to_row_set(
        exec_statement(tx, message_send_sql, from, to, p.text(2)));
  } catch (const pqxx::foreign_key_violation&) {
    // The sender is signed in, so the missing user is the recipient.
    throw domain_error(failure::of(error_code::not_found, "No such user."));
  }
}

// [user_id, after_at|NULL, after_id|NULL, limit] -> up to limit + 1
// conversations with the other user and the last message, most recent
// first. Without a cursor the key starts above every row (infinity).
row_set conversations(pqxx::work& tx, const params& p) {
  const int64_t limit = page_limit(p, 3);
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, conversations_list, p.i64(0),
                                   time_param_or(p, 1, open_high), after_id,
                                   limit));
}

// [conversation_id, caller, after_at|NULL, after_id|NULL, limit] -> up to
// limit + 1 messages, newest first: not_found, forbidden.
row_set of_conversation(pqxx::work& tx, const params& p) {
  const int64_t limit = page_limit(p, 4);
  const int64_t id = p.i64(0);
  const int64_t caller = p.i64(1);
  const pqxx::result who = exec_statement(tx, participants_sql, id);
  if (who.empty())
    throw domain_error(
        failure::of(error_code::not_found, "No such conversation."));
  if (who[0]["user_a"].as<int64_t>() != caller &&
      who[0]["user_b"].as<int64_t>() != caller)
    throw domain_error(failure::of(error_code::forbidden,
                                   "You are not part of this conversation."));
  const int64_t after_id = p.is_null(3) ? 0 : p.i64(3);
  return to_row_set(exec_statement(tx, conversation_messages_list, id,
                                   time_param_or(p, 2, open_high), after_id,
                                   limit));
}

} // namespace

void add_message_operations(std::vector<operation>& out) {
  out.push_back({"messages.send", send});
  out.push_back({"messages.conversations", conversations, true});
  out.push_back({"messages.of_conversation", of_conversation, true});
}

} // namespace numina::storage
