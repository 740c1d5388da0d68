#include <stdexcept>
#include <unordered_map>

#include "storage/catalog.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

namespace {

std::unordered_map<std::string_view, operation> make_table() {
  std::vector<operation> all;
  add_health_operations(all);
  add_auth_operations(all);
  add_user_operations(all);
  add_class_operations(all);
  add_booking_operations(all);
  add_idempotency_operations(all);
  add_review_operations(all);
  add_rating_job_operations(all);
  add_notification_operations(all);
  add_notification_job_operations(all);
  add_social_operations(all);
  add_feed_job_operations(all);
  add_message_operations(all);
  add_match_operations(all);
  std::unordered_map<std::string_view, operation> table;
  for (auto& op : all)
    if (!table.emplace(op.name, op).second)
      throw std::logic_error("duplicate storage operation name");
  return table;
}

} // namespace

const operation* find_operation(std::string_view name) {
  static const auto table = make_table();
  auto i = table.find(name);
  return i == table.end() ? nullptr : &i->second;
}

bool operation_exists(std::string_view name) {
  return find_operation(name) != nullptr;
}

const cell& params::at(size_t i) const {
  if (i >= cells_.size())
    throw domain_error(failure::of(error_code::internal,
                                   "storage operation is missing a parameter"));
  return cells_[i];
}

int64_t params::i64(size_t i) const {
  const auto& c = at(i);
  try {
    size_t used = 0;
    auto n = std::stoll(c.text, &used);
    if (used == c.text.size() && !c.null)
      return n;
  } catch (const std::exception&) {
  }
  throw domain_error(
      failure::of(error_code::internal, "storage parameter is not an integer"));
}

row_set to_row_set(const pqxx::result& r) {
  row_set out;
  const auto cols = static_cast<size_t>(r.columns());
  out.columns.reserve(cols);
  for (pqxx::row::size_type c = 0; c < r.columns(); ++c)
    out.columns.emplace_back(r.column_name(c));
  out.rows.reserve(r.size());
  for (const auto& row : r) {
    std::vector<cell> cells;
    cells.reserve(cols);
    for (const auto& field : row)
      cells.push_back(field.is_null()
                          ? cell::none()
                          : cell::of(std::string{field.c_str(), field.size()}));
    out.rows.push_back(std::move(cells));
  }
  out.affected = r.affected_rows();
  return out;
}

} // namespace numina::storage
