#pragma once
// JSON is nlohmann::ordered_json (objects keep insertion order, so what we
// write is deterministic). This file adds the rules the library does not
// enforce by itself, for files and HTTP bodies we do not trust:
//
//  - parse_strict(): one RFC 8259 value with no comments and no trailing
//    commas (nlohmann's defaults), plus no duplicate object keys and no
//    nesting deeper than 256 levels. Every error is a JsonError
//    "JSON: line L, column C: <what was wrong>" (lines and columns count
//    from 1, columns in bytes).
//  - dump_strict(): compact text that refuses NaN/Infinity (nlohmann would
//    write null) and strings that are not valid UTF-8, naming where they
//    are in the tree.
//
// Thread-safety: pure functions.
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bigpe::json {

// The one exception type for JSON errors; a std::runtime_error, so callers
// that catch runtime_error keep working.
class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses exactly one JSON text under the strict rules above.
nlohmann::ordered_json parse_strict(std::string_view text);

// Compact serialization (no whitespace). Integers print exactly; doubles
// print the shortest text that reads back to the same double, always with
// a fraction or an exponent ("1.0", "0.25", "1e-05").
std::string dump_strict(const nlohmann::ordered_json& v);

}  // namespace bigpe::json
