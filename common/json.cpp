#include "common/json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/utf8_append.h"

namespace bigpe::json {

namespace {

constexpr int kMaxDepth = 256;

[[noreturn]] void type_mismatch(const char* want, Value::Type got) {
  throw JsonError(std::string("JSON: expected ") + want + ", got " + type_name(got));
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

void write_string(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(s, i);
      if (n == 0)
        throw JsonError("JSON: cannot serialize a string that is not valid UTF-8 (byte " +
                        std::to_string(i) + " of the string)");
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void write_number(std::string& out, const Value& v) {
  char buf[32];
  std::to_chars_result r;
  if (v.is_integral()) {
    r = std::to_chars(buf, buf + sizeof buf, v.as_int());
  } else {
    double d = v.as_number();
    if (!std::isfinite(d)) throw JsonError("JSON: cannot serialize a non-finite number");
    r = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back
  }
  out.append(buf, r.ptr);
}

void write_value(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: out += "null"; break;
    case Value::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::kNumber: write_number(out, v); break;
    case Value::Type::kString: write_string(out, v.as_string()); break;
    case Value::Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        write_value(out, e);
      }
      out += ']';
      break;
    }
    case Value::Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out += ',';
        first = false;
        write_string(out, k);
        out += ':';
        write_value(out, e);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

// The parser is a class so it can fill Value's private fields (the exact
// int64 of an integer literal).
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Value parse_document() {
    skip_ws();
    Value v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw JsonError("JSON: at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  bool consume_literal(const char* lit) {
    std::size_t n = std::strlen(lit);
    if (s_.compare(pos_, n, lit) != 0) return false;
    pos_ += n;
    return true;
  }

  Value parse_value(int depth) {
    if (pos_ >= s_.size()) fail("expected a value, got the end of the text");
    char c = s_[pos_];
    switch (c) {
      case '{': return parse_object(depth + 1);
      case '[': return parse_array(depth + 1);
      case '"': return Value(parse_string());
      case 't':
        if (consume_literal("true")) return Value(true);
        break;
      case 'f':
        if (consume_literal("false")) return Value(false);
        break;
      case 'n':
        if (consume_literal("null")) return Value();
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    }
    fail(std::string("expected a value, got '") + printable(c) + "'");
  }

  static std::string printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      return buf;
    }
    return std::string(1, c);
  }

  Value parse_object(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 256 levels");
    ++pos_;  // '{'
    Value obj = Value::object();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return obj;
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string key in an object");
      std::size_t key_at = pos_;
      std::string key = parse_string();
      if (obj.find(key) != nullptr) {
        pos_ = key_at;
        fail("duplicate object key '" + key + "'");
      }
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':' after an object key");
      ++pos_;
      skip_ws();
      Value v = parse_value(depth);
      obj.object_.emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return obj;
      }
      fail("expected ',' or '}' after an object member");
    }
  }

  Value parse_array(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 256 levels");
    ++pos_;  // '['
    Value arr = Value::array();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      skip_ws();
      arr.array_.push_back(parse_value(depth));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      fail("expected ',' or ']' after an array element");
    }
  }

  uint32_t parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("expected 4 hex digits after \\u");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[pos_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else {
        pos_ += k;
        fail("expected a hex digit in a \\u escape");
      }
    }
    pos_ += 4;
    return v;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("control character in a string (must be escaped)");
      if (c >= 0x80) {
        std::size_t n = utf8_sequence_length(s_, pos_);
        if (n == 0) fail("invalid UTF-8 in a string");
        out.append(s_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("unterminated escape in a string");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::size_t esc_at = pos_ - 2;
          uint32_t cp = parse_hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            pos_ = esc_at;
            fail("lone low surrogate in a \\u escape");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.compare(pos_, 2, "\\u") != 0) {
              pos_ = esc_at;
              fail("high surrogate not followed by a \\u low surrogate");
            }
            pos_ += 2;
            uint32_t lo = parse_hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) {
              pos_ = esc_at;
              fail("high surrogate not followed by a low surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          fail(std::string("invalid escape '\\") + printable(e) + "' in a string");
      }
    }
  }

  Value parse_number() {
    std::size_t start = pos_;
    bool integral = true;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
      fail("expected a digit in a number");
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
        std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))
      fail("leading zero in a number");
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
        fail("expected a digit after the decimal point");
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
        fail("expected a digit in an exponent");
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + pos_;
    Value v;
    v.type_ = Value::Type::kNumber;
    if (integral) {
      int64_t n = 0;
      auto r = std::from_chars(b, e, n);
      if (r.ec == std::errc() && r.ptr == e) {
        v.int_ = n;
        v.integral_ = true;
        v.number_ = static_cast<double>(n);
        return v;
      }
    }
    double d = 0;
    auto r = std::from_chars(b, e, d);
    if (r.ec == std::errc::result_out_of_range || !std::isfinite(d)) {
      pos_ = start;
      fail("number out of range");
    }
    if (r.ec != std::errc() || r.ptr != e) {
      pos_ = start;
      fail("malformed number");
    }
    v.number_ = d;
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

const char* type_name(Value::Type t) {
  switch (t) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "a boolean";
    case Value::Type::kNumber: return "a number";
    case Value::Type::kString: return "a string";
    case Value::Type::kArray: return "an array";
    case Value::Type::kObject: return "an object";
  }
  return "unknown";
}

bool Value::as_bool() const {
  if (type_ != Type::kBool) type_mismatch("a boolean", type_);
  return bool_;
}

double Value::as_number() const {
  if (type_ != Type::kNumber) type_mismatch("a number", type_);
  return number_;
}

int64_t Value::as_int() const {
  if (type_ != Type::kNumber) type_mismatch("an integer", type_);
  if (integral_) return int_;
  if (number_ != std::trunc(number_) || std::fabs(number_) >= 9.2e18)
    throw JsonError("JSON: expected an integer, got " + serialize(*this));
  return static_cast<int64_t>(number_);
}

const std::string& Value::as_string() const {
  if (type_ != Type::kString) type_mismatch("a string", type_);
  return string_;
}

const Array& Value::as_array() const {
  if (type_ != Type::kArray) type_mismatch("an array", type_);
  return array_;
}

Array& Value::as_array() {
  if (type_ != Type::kArray) type_mismatch("an array", type_);
  return array_;
}

const Object& Value::as_object() const {
  if (type_ != Type::kObject) type_mismatch("an object", type_);
  return object_;
}

Object& Value::as_object() {
  if (type_ != Type::kObject) type_mismatch("an object", type_);
  return object_;
}

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : as_object())
    if (k == key) return &v;
  return nullptr;
}

const Value& Value::at(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) throw JsonError("JSON: missing key '" + std::string(key) + "'");
  return *v;
}

Value& Value::operator[](std::string_view key) {
  if (type_ == Type::kNull) type_ = Type::kObject;
  for (auto& [k, v] : as_object())
    if (k == key) return v;
  object_.emplace_back(std::string(key), Value());
  return object_.back().second;
}

void Value::push_back(Value v) {
  if (type_ == Type::kNull) type_ = Type::kArray;
  as_array().push_back(std::move(v));
}

std::size_t Value::size() const {
  if (type_ == Type::kArray) return array_.size();
  if (type_ == Type::kObject) return object_.size();
  return 0;
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull: return true;
    case Type::kBool: return bool_ == o.bool_;
    case Type::kNumber:
      if (integral_ && o.integral_) return int_ == o.int_;
      return number_ == o.number_;
    case Type::kString: return string_ == o.string_;
    case Type::kArray: return array_ == o.array_;
    case Type::kObject: return object_ == o.object_;
  }
  return false;
}

Value parse(std::string_view text) { return Parser(text).parse_document(); }

std::string serialize(const Value& v) {
  std::string out;
  write_value(out, v);
  return out;
}

std::string quote(std::string_view s) {
  std::string out;
  write_string(out, s);
  return out;
}

}  // namespace bigpe::json
