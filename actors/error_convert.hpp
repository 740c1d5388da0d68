// numina::failure <-> caf::error: the contract's codes travel between
// actors (and later nodes) as caf::error in the "numina" category, with the
// field and the message as context.
#pragma once

#include "caf/error.hpp"
#include "core/failure.hpp"

namespace numina::actors {

caf::error to_error(const failure& f);

/// Also maps CAF's own errors: a request timeout or a vanished receiver is
/// `unavailable`, anything else `internal`.
failure to_failure(const caf::error& err);

} // namespace numina::actors
