#include "http/json_body.hpp"

#include <algorithm>

#include <simdjson.h>

#include "core/json_writer.hpp"
#include "core/utf8.hpp"

namespace numina::http {

namespace {

using namespace simdjson;

// Deeper bodies are refused; the contract's bodies are two levels deep.
constexpr size_t max_depth = 64;

dom::parser& thread_parser() {
  // One parser per thread: it is not thread-safe and reuses its buffers.
  thread_local dom::parser parser;
  return parser;
}

std::optional<std::string> convert(dom::element e, json_value& out) {
  switch (e.type()) {
  case dom::element_type::NULL_VALUE:
    out.type = json_value::kind::null;
    return std::nullopt;
  case dom::element_type::BOOL:
    out.type = json_value::kind::boolean;
    out.boolean = bool(e);
    return std::nullopt;
  case dom::element_type::INT64:
    out.type = json_value::kind::integer;
    out.integer = int64_t(e);
    return std::nullopt;
  case dom::element_type::UINT64:
    out.type = json_value::kind::big_integer;
    out.big = uint64_t(e);
    return std::nullopt;
  case dom::element_type::DOUBLE:
    out.type = json_value::kind::number;
    out.number = double(e);
    return std::nullopt;
  case dom::element_type::STRING: {
    std::string_view s = e;
    if (s.find('\0') != std::string_view::npos)
      return std::string{"strings must not contain \\u0000"};
    out.type = json_value::kind::string;
    out.text = std::string{s};
    return std::nullopt;
  }
  case dom::element_type::ARRAY: {
    out.type = json_value::kind::array;
    dom::array arr = e;
    for (dom::element item : arr) {
      out.items.emplace_back();
      if (auto err = convert(item, out.items.back()))
        return err;
    }
    return std::nullopt;
  }
  case dom::element_type::OBJECT: {
    out.type = json_value::kind::object;
    dom::object obj = e;
    for (dom::key_value_pair kv : obj) {
      if (kv.key.find('\0') != std::string_view::npos)
        return std::string{"keys must not contain \\u0000"};
      out.members.emplace_back(std::string{kv.key}, json_value{});
      if (auto err = convert(kv.value, out.members.back().second))
        return err;
    }
    std::vector<std::string_view> keys;
    for (auto& m : out.members)
      keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    if (auto dup = std::adjacent_find(keys.begin(), keys.end());
        dup != keys.end())
      return "duplicate key \"" + std::string{*dup} + "\"";
    return std::nullopt;
  }
  }
  return std::string{"unknown JSON value"};
}

std::string describe(simdjson::error_code err) {
  switch (err) {
  case UTF8_ERROR:
    return "the body is not valid UTF-8";
  case DEPTH_ERROR:
    return "the body is nested too deeply";
  case NUMBER_ERROR:
    return "a number is malformed or out of range";
  case STRING_ERROR:
  case UNESCAPED_CHARS:
    return "a string is malformed";
  case EMPTY:
    return "the body is empty";
  default:
    return "the body is not valid JSON";
  }
}

// simdjson refuses an integer beyond 64 bits while parsing, without saying
// where. The contract wants such a value named like any out-of-range
// integer, so find the top-level member whose value is an integer literal
// that does not fit and name it; nothing if the culprit is elsewhere.
std::optional<std::string> overflowing_member(std::string_view body) {
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t string_start = 0;
  std::string_view last_key;
  bool after_colon = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"') {
        in_string = false;
        if (depth == 1 && !after_colon)
          last_key = body.substr(string_start, i - string_start);
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_start = i + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
      after_colon = false;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ':' && depth == 1) {
      after_colon = true;
    } else if (c == ',') {
      after_colon = false;
    } else if (depth == 1 && after_colon &&
               (c == '-' || (c >= '0' && c <= '9'))) {
      size_t end = i;
      while (end < body.size() &&
             (body[end] == '-' || (body[end] >= '0' && body[end] <= '9')))
        ++end;
      bool integer_literal =
          end == body.size() ||
          (body[end] != '.' && body[end] != 'e' && body[end] != 'E');
      auto digits = body.substr(i, end - i);
      bool negative = !digits.empty() && digits.front() == '-';
      auto magnitude = negative ? digits.substr(1) : digits;
      // 20 digits or more, or 19+ beyond the limits, no longer fit.
      bool too_big = magnitude.size() > 20 ||
                     (magnitude.size() == 20 &&
                      magnitude > std::string_view{"18446744073709551615"}) ||
                     (negative && magnitude.size() >= 19 &&
                      (magnitude.size() > 19 ||
                       magnitude > std::string_view{"9223372036854775808"}));
      // A leading zero is malformed JSON, not a large number.
      const bool well_formed = !magnitude.empty() && magnitude.front() != '0';
      if (integer_literal && well_formed && too_big &&
          last_key.find('\\') == std::string_view::npos)
        return std::string{last_key};
      after_colon = false;
      i = end - 1;
    }
  }
  return std::nullopt;
}

std::string_view type_name(json_value::kind k) {
  switch (k) {
  case json_value::kind::null:
    return "null";
  case json_value::kind::boolean:
    return "a boolean";
  case json_value::kind::integer:
  case json_value::kind::big_integer:
  case json_value::kind::number:
    return "a number";
  case json_value::kind::string:
    return "a string";
  case json_value::kind::array:
    return "an array";
  case json_value::kind::object:
    return "an object";
  }
  return "a value";
}

} // namespace

const json_value* json_value::find(std::string_view key) const {
  for (auto& m : members)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

outcome<json_value> parse_json_object(const std::string& body) {
  auto& parser = thread_parser();
  if (parser.max_depth() != max_depth || parser.capacity() < body.size())
    if (parser.allocate(std::max<size_t>(body.size(), 4096), max_depth))
      return failure::of(numina::error_code::internal);
  dom::element doc;
  if (auto err = parser.parse(body).get(doc)) {
    if (err == NUMBER_ERROR)
      if (auto field = overflowing_member(body))
        return failure::invalid(*field, *field + " is out of range");
    return failure::of(numina::error_code::invalid_json, describe(err));
  }
  if (doc.type() != dom::element_type::OBJECT)
    return failure::of(numina::error_code::invalid_json,
                       "the body must be a JSON object");
  json_value out;
  if (auto err = convert(doc, out))
    return failure::of(numina::error_code::invalid_json, *err);
  return out;
}

namespace {

void write_canonical(json_writer& w, const json_value& v) {
  switch (v.type) {
  case json_value::kind::null:
    w.null();
    break;
  case json_value::kind::boolean:
    w.value(v.boolean);
    break;
  case json_value::kind::integer:
    w.value(v.integer);
    break;
  case json_value::kind::big_integer:
    w.value(v.big);
    break;
  case json_value::kind::number:
    w.value(v.number);
    break;
  case json_value::kind::string:
    w.value(v.text);
    break;
  case json_value::kind::array:
    w.begin_array();
    for (auto& item : v.items)
      write_canonical(w, item);
    w.end_array();
    break;
  case json_value::kind::object: {
    std::vector<const std::pair<std::string, json_value>*> members;
    for (auto& m : v.members)
      members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](auto* a, auto* b) { return a->first < b->first; });
    w.begin_object();
    for (auto* m : members) {
      w.key(m->first);
      write_canonical(w, m->second);
    }
    w.end_object();
    break;
  }
  }
}

} // namespace

std::string canonical_json(const json_value& v) {
  json_writer w;
  write_canonical(w, v);
  return std::move(w).str();
}

body_reader::body_reader(const json_value& object,
                         std::initializer_list<std::string_view> allowed)
  : object_(object) {
  for (auto& m : object_.members) {
    if (std::find(allowed.begin(), allowed.end(), m.first) == allowed.end()) {
      fail(m.first, "is not a known field");
      return;
    }
  }
}

void body_reader::fail(std::string_view name, std::string message) {
  if (!error)
    error = failure::invalid(std::string{name},
                             std::string{name} + " " + std::move(message));
}

bool body_reader::has(std::string_view name) const {
  return object_.find(name) != nullptr;
}

bool body_reader::is_null(std::string_view name) const {
  auto* v = object_.find(name);
  return v != nullptr && v->type == json_value::kind::null;
}

const json_value* body_reader::field(std::string_view name, bool required) {
  if (error)
    return nullptr;
  auto* v = object_.find(name);
  if (v == nullptr && required)
    fail(name, "is required");
  return v;
}

std::optional<std::string> body_reader::text(std::string_view name,
                                             size_t min_len, size_t max_len,
                                             bool required) {
  auto* v = field(name, required);
  if (v == nullptr)
    return std::nullopt;
  if (v->type != json_value::kind::string) {
    fail(name, "must be a string, not " + std::string{type_name(v->type)});
    return std::nullopt;
  }
  auto n = code_points(v->text);
  if (n < min_len || n > max_len) {
    fail(name, "must be " + std::to_string(min_len) + " to " +
                   std::to_string(max_len) + " characters long");
    return std::nullopt;
  }
  return v->text;
}

std::optional<int64_t> body_reader::integer(std::string_view name, int64_t min,
                                            int64_t max, bool required) {
  auto* v = field(name, required);
  if (v == nullptr)
    return std::nullopt;
  if (v->type != json_value::kind::integer) {
    fail(name, v->type == json_value::kind::big_integer
                   ? "is out of range"
                   : "must be an integer, not " +
                         std::string{v->type == json_value::kind::number
                                         ? "a fraction"
                                         : type_name(v->type)});
    return std::nullopt;
  }
  if (v->integer < min || v->integer > max) {
    fail(name, "must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
    return std::nullopt;
  }
  return v->integer;
}

std::optional<std::vector<int64_t>>
body_reader::ids(std::string_view name, size_t max_items, bool required) {
  auto* v = field(name, required);
  if (v == nullptr)
    return std::nullopt;
  if (v->type != json_value::kind::array) {
    fail(name, "must be an array of ids");
    return std::nullopt;
  }
  if (v->items.size() > max_items) {
    fail(name, "must hold at most " + std::to_string(max_items) + " ids");
    return std::nullopt;
  }
  std::vector<int64_t> out;
  for (auto& item : v->items) {
    if (item.type != json_value::kind::integer || item.integer <= 0) {
      fail(name, "must hold positive integer ids only");
      return std::nullopt;
    }
    out.push_back(item.integer);
  }
  return out;
}

} // namespace numina::http
