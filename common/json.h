#pragma once
// A small, strict JSON (RFC 8259) tree: parse text into a Value, build Values
// in code, serialize them back. Used for the OpenAI-compatible HTTP API and
// for JSONL files.
//
// Strict means: one value per text (only whitespace around it), no comments,
// no trailing commas, no duplicate object keys, no leading zeros, no
// NaN/Infinity, strings must be valid UTF-8 and \u escapes must pair their
// surrogates. Every parse error is a JsonError naming the byte offset and what
// was expected there. Accessors throw a JsonError naming the key or the type
// that was wrong.
//
// Objects keep their keys in insertion order, so serialization is
// deterministic. Non-ASCII UTF-8 passes through unescaped; control characters
// are escaped.
//
// Thread-safety: a Value is a plain value type (safe to read from many
// threads, not to mutate concurrently); the free functions are pure.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bigpe::json {

class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(int n) : Value(static_cast<int64_t>(n)) {}
  Value(int64_t n) : type_(Type::kNumber), number_(static_cast<double>(n)), int_(n), integral_(true) {}
  Value(double d) : type_(Type::kNumber), number_(d) {}
  Value(const char* s) : type_(Type::kString), string_(s) {}
  Value(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), string_(s) {}
  Value(Array a) : type_(Type::kArray), array_(std::move(a)) {}
  Value(Object o) : type_(Type::kObject), object_(std::move(o)) {}

  static Value array() { return Value(Array{}); }
  static Value object() { return Value(Object{}); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  // A number parsed from an integer literal that fits int64, or built from
  // an integer: as_int() is exact and serialization prints it exactly.
  bool is_integral() const { return type_ == Type::kNumber && integral_; }

  // Typed access; a wrong type throws JsonError ("expected a string, got a
  // number").
  bool as_bool() const;
  double as_number() const;
  // The number as an integer; throws when it has a fraction or does not fit.
  int64_t as_int() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object lookup: nullptr when absent. REQUIRES: is_object() (else throws).
  const Value* find(std::string_view key) const;
  // Object lookup that throws JsonError "missing key 'key'" when absent.
  const Value& at(std::string_view key) const;
  // Object insert-or-assign, keeping the first insertion position. Turns a
  // null into an empty object first, so `v["a"]["b"] = 1` builds nested maps.
  Value& operator[](std::string_view key);
  // Array append. Turns a null into an empty array first.
  void push_back(Value v);
  // Elements of an array or members of an object; 0 otherwise.
  std::size_t size() const;

  // Structural equality (numbers compare by value, objects by order too).
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0.0;
  int64_t int_ = 0;        // exact value when integral_
  bool integral_ = false;  // written or built as an integer that fits int64
  std::string string_;
  Array array_;
  Object object_;

  friend class Parser;
};

// Name of a type for messages: "null", "a boolean", "a number", ...
const char* type_name(Value::Type t);

// Parses exactly one JSON text. Throws JsonError such as
//   "JSON: at byte 17: expected ',' or '}' after an object member".
// Nesting deeper than 256 levels is refused (untrusted input).
Value parse(std::string_view text);

// Compact serialization (no whitespace). Integers print exactly; other
// numbers print the shortest text that reads back to the same double.
// Throws JsonError for NaN/Infinity and for strings that are not valid UTF-8
// (naming the byte offset inside the string).
std::string serialize(const Value& v);

// A JSON string literal (with quotes) for `s`; same rules as serialize.
std::string quote(std::string_view s);

}  // namespace bigpe::json
