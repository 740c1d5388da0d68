#include "storage/decode_support.hpp"

namespace numina::storage {

std::optional<size_t> find_column(const row_set& rows, std::string_view name) {
  for (size_t i = 0; i < rows.columns.size(); ++i)
    if (rows.columns[i] == name)
      return i;
  return std::nullopt;
}

} // namespace numina::storage
