#pragma once
// Typed lookups into nlohmann::ordered_json whose errors are a JsonError
// naming the key and what was wrong ("JSON: key 'repeat': expected an
// integer, got 1.5"), where nlohmann's own at()/get<>() would throw its
// exceptions with no key named.
//
// Thread-safety: pure functions.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_strict.h"

namespace bigpe::json {

// Name of v's type for messages: "null", "a boolean", "a number", ...
const char* type_name(const nlohmann::ordered_json& v);

// obj[key]; throws "JSON: missing key 'key'", or "JSON: expected an object
// holding 'key', got an array" when obj is not an object.
const nlohmann::ordered_json& require(const nlohmann::ordered_json& obj, std::string_view key);

// v as a string / as an exact int64 (an integer literal in range, never a
// truncated double) / checked to be an object or an array; throws
// "JSON: <what>: expected a string, got a number".
const std::string& string_of(const nlohmann::ordered_json& v, std::string_view what);
int64_t int_of(const nlohmann::ordered_json& v, std::string_view what);
const nlohmann::ordered_json& object_of(const nlohmann::ordered_json& v, std::string_view what);
const nlohmann::ordered_json& array_of(const nlohmann::ordered_json& v, std::string_view what);

// require() then string_of()/int_of(), naming the key.
const std::string& require_string(const nlohmann::ordered_json& obj, std::string_view key);
int64_t require_int(const nlohmann::ordered_json& obj, std::string_view key);

}  // namespace bigpe::json
