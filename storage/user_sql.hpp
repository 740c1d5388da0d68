// Internal to storage/: the select-list of an own user object, shared by the
// operations of auth_ops.cpp and users_ops.cpp so that decode_users() reads
// the same columns from each. A macro, so that it joins each statement's SQL
// as one string literal at compile time.
#pragma once

#define NUMINA_USER_COLUMNS "id, email, name, bio, created_at, updated_at"
