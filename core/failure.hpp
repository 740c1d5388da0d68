// A failed step: one of the contract's codes, the offending field (for
// validation errors) and a sentence safe to show the client.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/error_code.hpp"

namespace numina {

struct failure {
  error_code code = error_code::internal;
  std::string field;   // empty unless a value was at fault
  std::string message; // empty: use default_message(code)

  static failure of(error_code c, std::string msg = {}) {
    return failure{c, {}, std::move(msg)};
  }
  static failure invalid(std::string field_name, std::string msg) {
    return failure{error_code::validation_failed, std::move(field_name),
                   std::move(msg)};
  }
};

/// Either a value or the failure that prevented it.
template <class T> class outcome {
public:
  outcome(T value) : v_(std::move(value)) {}
  outcome(failure f) : v_(std::move(f)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const failure& error() const { return std::get<1>(v_); }

private:
  std::variant<T, failure> v_;
};

} // namespace numina
