// Calls and decoders of messages.hpp: parameter order here is the order the
// operations in messages_ops.cpp read.
#include "storage/messages.hpp"

#include "storage/decode_support.hpp"
#include "storage/rows.hpp"

namespace numina::storage {

namespace {

cell opt_key_at(const std::optional<page_key>& k) {
  return k ? cell::of(k->at) : cell::none();
}

cell opt_key_id(const std::optional<page_key>& k) {
  return k ? cell::of(k->id) : cell::none();
}

} // namespace

db_call messages_send(int64_t from, int64_t to, const std::string& text) {
  return {"messages.send", {cell::of(from), cell::of(to), cell::of(text)}};
}

db_call messages_conversations(int64_t user_id,
                               const std::optional<page_key>& after,
                               int limit) {
  return {"messages.conversations",
          {cell::of(user_id), opt_key_at(after), opt_key_id(after),
           cell::of(int64_t{limit})}};
}

db_call messages_of_conversation(int64_t conversation_id, int64_t caller,
                                 const std::optional<page_key>& after,
                                 int limit) {
  return {"messages.of_conversation",
          {cell::of(conversation_id), cell::of(caller), opt_key_at(after),
           opt_key_id(after), cell::of(int64_t{limit})}};
}

std::vector<message_row> decode_messages(const row_set& rows) {
  std::vector<message_row> out;
  if (rows.empty())
    return out;
  const size_t id = column(rows, "id");
  const size_t conversation_id = column(rows, "conversation_id");
  const size_t from = column(rows, "from_user_id");
  const size_t to = column(rows, "to_user_id");
  const size_t text = column(rows, "text");
  const size_t sent_at = column(rows, "sent_at");
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows)
    out.push_back({as_i64(r[id]), as_i64(r[conversation_id]), as_i64(r[from]),
                   as_i64(r[to]), r[text].text, as_time(r[sent_at])});
  return out;
}

page<message_row> decode_message_page(const row_set& rows, int limit) {
  return split_page(decode_messages(rows), limit, [](const message_row& m) {
    return page_key{m.sent_at, m.id};
  });
}

page<conversation_row> decode_conversation_page(const row_set& rows,
                                                int limit) {
  std::vector<conversation_row> items;
  if (!rows.empty()) {
    const size_t id = column(rows, "id");
    const size_t other_id = column(rows, "other_user_id");
    const size_t other_name = column(rows, "other_user_name");
    const size_t last_at = column(rows, "last_message_at");
    // The last message's columns, NULL when it has none (LEFT JOIN).
    const size_t m_id = column(rows, "message_id");
    const size_t m_from = column(rows, "message_from_user_id");
    const size_t m_to = column(rows, "message_to_user_id");
    const size_t m_text = column(rows, "message_text");
    const size_t m_sent_at = column(rows, "message_sent_at");
    items.reserve(rows.rows.size());
    for (const auto& r : rows.rows) {
      conversation_row c;
      c.id = as_i64(r[id]);
      c.other_user_id = as_i64(r[other_id]);
      c.other_user_name = r[other_name].text;
      c.last_message_at = as_time(r[last_at]);
      if (!r[m_id].null)
        c.last_message =
            message_row{as_i64(r[m_id]), c.id,           as_i64(r[m_from]),
                        as_i64(r[m_to]), r[m_text].text, as_time(r[m_sent_at])};
      items.push_back(std::move(c));
    }
  }
  return split_page(std::move(items), limit, [](const conversation_row& c) {
    return page_key{c.last_message_at, c.id};
  });
}

} // namespace numina::storage
