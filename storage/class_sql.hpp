// Internal to storage/: the select-list of a class row, shared by the
// operations of classes_ops.cpp and bookings_ops.cpp so that one decoder
// (classes.cpp) reads every class the same way. Macros, so that they join
// each statement's SQL as one string literal at compile time.
#pragma once

// The class `c` with its rating aggregate `r` (NULL before the first
// aggregation: average NULL, count 0).
#define NUMINA_CLASS_COLUMNS                                                   \
  "c.id, c.provider_id, c.title, c.description, c.location, c.starts_at,"      \
  " c.duration_min, c.capacity, c.booked, r.average AS rating_average,"        \
  " coalesce(r.count, 0) AS rating_count, c.created_at, c.updated_at"

#define NUMINA_CLASS_RATING_JOIN                                               \
  " LEFT JOIN rating_aggregates r ON r.class_id = c.id"
