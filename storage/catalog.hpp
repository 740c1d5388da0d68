// Which storage operations this build has: background jobs are registered
// only when the operation they run exists.
#pragma once

#include <string_view>

namespace numina::storage {

bool operation_exists(std::string_view name);

} // namespace numina::storage
