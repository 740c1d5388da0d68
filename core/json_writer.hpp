// A small append-only JSON writer: the renderers build response bodies with
// it, without an intermediate DOM. Commas are inserted automatically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace numina {

class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  /// Writes an object key; the next call writes its value.
  json_writer& key(std::string_view k);

  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view{s}); }
  json_writer& value(const std::string& s) {
    return value(std::string_view{s});
  }
  json_writer& value(int64_t n);
  json_writer& value(int n) { return value(static_cast<int64_t>(n)); }
  json_writer& value(uint64_t n);
  json_writer& value(double d);
  json_writer& value(bool b);
  json_writer& null();
  /// Splices an already rendered JSON value.
  json_writer& raw(std::string_view json);

  template <class T> json_writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const& { return out_; }
  std::string str() && { return std::move(out_); }

  /// Appends `s` as a quoted, escaped JSON string to `out`.
  static void append_string(std::string& out, std::string_view s);

private:
  void separate();

  std::string out_;
  // One flag per open container: does it already hold an element?
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

} // namespace numina
