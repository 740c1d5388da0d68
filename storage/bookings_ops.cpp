// Bookings: take a seat, give it back, list one's own (classes.hpp:
// bookings_*). classes.booked counts the bookings of a class; these
// operations change both in one transaction.
#include "storage/class_sql.hpp"
#include "storage/keyset.hpp"
#include "storage/list_statements.hpp"
#include "storage/operation.hpp"

namespace numina::storage {

// One query for a page of bookings with their classes (no query per item):
// the index gives the bookings in order, each class is a primary-key probe.
const statement bookings_mine_list{
    "bookings.mine",
    "SELECT b.id AS booking_id, b.class_id, b.user_id,"
    " b.created_at AS booking_created_at, " NUMINA_CLASS_COLUMNS
    " FROM bookings b JOIN classes c ON c.id = "
    "b.class_id" NUMINA_CLASS_RATING_JOIN " WHERE b.user_id = $1"
    "   AND (b.class_starts_at, b.id) > (to_timestamp($2::float8), $3)"
    " ORDER BY b.class_starts_at, b.id LIMIT $4::int + 1"};

namespace {

// class_starts_at is filled by the bookings_copy_class_starts_at trigger.
const statement insert_sql{
    "bookings.insert",
    "INSERT INTO bookings (class_id, user_id) VALUES ($1, $2)"
    " RETURNING id AS booking_id, class_id, user_id,"
    " created_at AS booking_created_at"};

// The seat: the row lock of this UPDATE makes concurrent bookers of one
// class wait for each other, and each re-checks `booked < capacity` on the
// row the previous one committed (READ COMMITTED re-evaluates the WHERE
// clause on the newest row version).
const statement take_seat_sql{"bookings.take_seat",
                              "UPDATE classes SET booked = booked + 1,"
                              " updated_at = whole_now()"
                              " WHERE id = $1 AND booked < capacity"
                              " RETURNING booked"};

// Locks the booking so that two cancellations of it cannot both free a
// seat: the second finds it gone.
const statement lock_sql{"bookings.lock",
                         "SELECT user_id, class_id FROM bookings"
                         " WHERE id = $1 FOR UPDATE"};

const statement delete_sql{"bookings.delete",
                           "DELETE FROM bookings WHERE id = $1"};

const statement free_seat_sql{"bookings.free_seat",
                              "UPDATE classes SET booked = booked - 1,"
                              " updated_at = whole_now() WHERE id = $1"
                              " RETURNING id AS class_id"};

// [class_id, user_id] -> the booking row: already_booked, not_found (no
// such class or user), class_full.
row_set create(pqxx::work& tx, const params& p) {
  const int64_t class_id = p.i64(0);
  pqxx::result booking;
  try {
    booking = exec_statement(tx, insert_sql, class_id, p.i64(1));
  } catch (const pqxx::unique_violation&) {
    // bookings_class_user_key is the table's only unique key besides the
    // generated id.
    throw domain_error(failure::of(error_code::already_booked));
  } catch (const pqxx::foreign_key_violation&) {
    throw domain_error(failure::of(error_code::not_found));
  }
  if (exec_statement(tx, take_seat_sql, class_id).empty())
    // The executor rolls the transaction back: the INSERT above goes too.
    throw domain_error(failure::of(error_code::class_full));
  return to_row_set(booking);
}

// [booking_id, caller] -> the freed class's id: not_found, forbidden.
row_set remove(pqxx::work& tx, const params& p) {
  const int64_t booking_id = p.i64(0);
  const pqxx::result locked = exec_statement(tx, lock_sql, booking_id);
  if (locked.empty())
    throw domain_error(failure::of(error_code::not_found));
  if (locked[0]["user_id"].as<int64_t>() != p.i64(1))
    throw domain_error(failure::of(error_code::forbidden));
  exec_statement(tx, delete_sql, booking_id);
  return to_row_set(
      exec_statement(tx, free_seat_sql, locked[0]["class_id"].as<int64_t>()));
}

// [user_id, after_at|NULL, after_id|NULL, limit] -> up to limit + 1
// bookings with their classes, in (class starts_at, booking id) order.
row_set mine(pqxx::work& tx, const params& p) {
  const int64_t after_id = p.is_null(2) ? 0 : p.i64(2);
  return to_row_set(exec_statement(tx, bookings_mine_list, p.i64(0),
                                   time_param_or(p, 1, open_low), after_id,
                                   page_limit(p, 3)));
}

} // namespace

void add_booking_operations(std::vector<operation>& out) {
  out.push_back({"bookings.create", create});
  out.push_back({"bookings.delete", remove});
  out.push_back({"bookings.mine", mine, true});
}

} // namespace numina::storage
