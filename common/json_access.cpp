#include "common/json_access.h"

#include <limits>

namespace bigpe::json {

using nlohmann::ordered_json;

const char* type_name(const ordered_json& v) {
  switch (v.type()) {
    case ordered_json::value_t::null: return "null";
    case ordered_json::value_t::boolean: return "a boolean";
    case ordered_json::value_t::number_integer:
    case ordered_json::value_t::number_unsigned:
    case ordered_json::value_t::number_float: return "a number";
    case ordered_json::value_t::string: return "a string";
    case ordered_json::value_t::array: return "an array";
    case ordered_json::value_t::object: return "an object";
    default: return "an unexpected value";  // binary, discarded: never parsed here
  }
}

const ordered_json& require(const ordered_json& obj, std::string_view key) {
  if (!obj.is_object())
    throw JsonError("JSON: expected an object holding '" + std::string(key) + "', got " + type_name(obj));
  auto it = obj.find(key);
  if (it == obj.end()) throw JsonError("JSON: missing key '" + std::string(key) + "'");
  return *it;
}

namespace {

[[noreturn]] void wrong_type(std::string_view what, const char* expected, const ordered_json& got) {
  throw JsonError("JSON: " + std::string(what) + ": expected " + expected + ", got " + type_name(got));
}

}  // namespace

const std::string& string_of(const ordered_json& v, std::string_view what) {
  if (!v.is_string()) wrong_type(what, "a string", v);
  return v.get_ref<const std::string&>();
}

const ordered_json& object_of(const ordered_json& v, std::string_view what) {
  if (!v.is_object()) wrong_type(what, "an object", v);
  return v;
}

const ordered_json& array_of(const ordered_json& v, std::string_view what) {
  if (!v.is_array()) wrong_type(what, "an array", v);
  return v;
}

int64_t int_of(const ordered_json& v, std::string_view what) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    throw JsonError("JSON: " + std::string(what) + ": integer " + v.dump() + " does not fit in 64 bits");
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_number()) wrong_type(what, "an integer", v);
  throw JsonError("JSON: " + std::string(what) + ": expected an integer, got " + v.dump());
}

const std::string& require_string(const ordered_json& obj, std::string_view key) {
  return string_of(require(obj, key), "key '" + std::string(key) + "'");
}

int64_t require_int(const ordered_json& obj, std::string_view key) {
  return int_of(require(obj, key), "key '" + std::string(key) + "'");
}

}  // namespace bigpe::json
