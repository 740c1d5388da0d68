#include "http/render_pool.hpp"

namespace numina::http {

void render_pool(json_writer& w, const actors::pool_snapshot& s) {
  w.begin_object();
  w.field("size", uint64_t{s.size});
  w.field("idle", uint64_t{s.idle});
  w.field("busy", uint64_t{s.busy});
  w.field("connecting", uint64_t{s.connecting});
  w.field("down", uint64_t{s.down});
  w.field("waiting", uint64_t{s.waiting});
  w.field("queries", s.queries);
  w.field("errors", s.errors);
  w.field("timeouts", s.timeouts);
  w.field("rejected", s.rejected);
  w.field("restarts", s.restarts);
  w.field("avg_query_us",
          s.queries == 0 ? uint64_t{0} : s.total_query_us / s.queries);
  w.field("max_query_us", s.max_query_us);
  w.field("database_up", s.database_up);
  w.end_object();
}

} // namespace numina::http
