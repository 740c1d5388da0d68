// Internal to storage/: the statements behind the list operations, named
// here so that tests/storage/plans_test.cpp can EXPLAIN exactly what runs.
// Each is defined beside its operation.
#pragma once

#include "storage/operation.hpp"

namespace numina::storage {

/// classes.list without a provider: classes_starts_at_idx.
/// $1 lower bound time, $2 lower bound id, $3 upper bound time, $4 limit.
extern const statement classes_list_all;
/// classes.list of one provider: classes_provider_starts_at_idx.
/// $1..$4 as above, $5 provider id.
extern const statement classes_list_by_provider;
/// bookings.mine: bookings_user_starts_at_idx.
/// $1 user id, $2 after time, $3 after id, $4 limit.
extern const statement bookings_mine_list;
/// users.followers: follows_following_since_idx (migration 0002).
/// $1 user id, $2 after time, $3 after id, $4 limit.
extern const statement followers_list;
/// users.following: follows_follower_since_idx (migration 0002).
extern const statement following_list;

} // namespace numina::storage
