// JSON rendering of the DB pool's counters (/health, /admin/db).
#pragma once

#include "actors/pool_snapshot.hpp"
#include "core/json_writer.hpp"

namespace numina::http {

void render_pool(json_writer& w, const actors::pool_snapshot& s);

} // namespace numina::http
