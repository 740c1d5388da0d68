#include "actors/messages.hpp"

#include "caf/all.hpp"

namespace numina::actors {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<storage::cell>("numina::cell");
  cfg.add_message_type<storage::db_call>("numina::db_call");
  cfg.add_message_type<storage::row_set>("numina::row_set");
  cfg.add_message_type<pool_snapshot>("numina::pool_snapshot");
  cfg.add_message_type<rate_check>("numina::rate_check");
  cfg.add_message_type<rate_verdict>("numina::rate_verdict");
  cfg.add_message_type<rate_policy_stats>("numina::rate_policy_stats");
  cfg.add_message_type<rate_limit_snapshot>("numina::rate_limit_snapshot");
  cfg.add_message_type<cache_shard_stats>("numina::cache_shard_stats");
  cfg.add_message_type<job_record>("numina::job_record");
  cfg.add_message_type<std::vector<job_record>>("numina::job_records");
  cfg.add_message_type<std::vector<std::vector<storage::cell>>>(
      "numina::cell_rows");
}

} // namespace numina::actors
