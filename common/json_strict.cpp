#include "common/json_strict.h"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <set>
#include <vector>

namespace bigpe::json {

namespace {

using nlohmann::ordered_json;

constexpr int kMaxDepth = 256;

// A char iterator that remembers how far nlohmann's lexer has read: the
// parser callback gets no position, so this is how its errors name one.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, std::size_t* read) : at_(at), read_(read) {}
  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    ++at_;
    ++*read_;
    return *this;
  }
  bool operator==(const CountingIterator& o) const { return at_ == o.at_; }
  bool operator!=(const CountingIterator& o) const { return at_ != o.at_; }

 private:
  const char* at_;
  std::size_t* read_;
};

// Bytes outside ASCII as \xNN: nlohmann quotes raw input in its messages,
// which may be invalid UTF-8 that would poison a log or a JSON field.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

// "JSON: line L, column C: what" for the byte at `offset` (0-based).
[[noreturn]] void fail_at(std::string_view text, std::size_t offset, const std::string& what) {
  if (offset > text.size()) offset = text.size();  // the end of the text
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  throw JsonError("JSON: line " + std::to_string(line) + ", column " +
                  std::to_string(offset - line_start + 1) + ": " + what);
}

// Where the key string whose closing quote is at `close` opens: the
// nearest quote before it that is not escaped (a string holds no raw
// quote).
std::size_t key_start(std::string_view text, std::size_t close) {
  for (std::size_t i = close; i-- > 0;) {
    if (text[i] != '"') continue;
    std::size_t backslashes = 0;
    while (backslashes < i && text[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return close;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag
// and its "parse error at line L, column C: " (we name positions ourselves).
std::string description(const nlohmann::json::exception& e) {
  std::string what = e.what();
  const std::size_t tag_end = what.find("] ");
  if (tag_end != std::string::npos) what.erase(0, tag_end + 2);
  if (what.rfind("parse error", 0) == 0) {
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos) what.erase(0, colon + 2);
  }
  return printable(what);
}

// Finds the first value (bad_value) or object key (bad_key) under v that is
// bad and leaves its JSON Pointer in path; false when there is none.
template <class BadValue, class BadKey>
bool find_bad(const ordered_json& v, const BadValue& bad_value, const BadKey& bad_key, std::string& path) {
  if (bad_value(v)) return true;
  const std::size_t len = path.size();
  if (v.is_object()) {
    for (const auto& [key, member] : v.items()) {
      path += "/" + key;
      if (bad_key(key) || find_bad(member, bad_value, bad_key, path)) return true;
      path.resize(len);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      path += "/" + std::to_string(i);
      if (find_bad(v[i], bad_value, bad_key, path)) return true;
      path.resize(len);
    }
  }
  return false;
}

std::string where(const std::string& path) { return path.empty() ? "the top level" : printable(path); }

std::string compact(const ordered_json& v) {
  return v.dump(-1, ' ', false, ordered_json::error_handler_t::strict);
}

}  // namespace

ordered_json parse_strict(std::string_view text) {
  std::size_t read = 0;  // bytes the lexer has taken so far
  std::vector<std::set<std::string>> keys;  // per open object, innermost last
  auto check = [&](int depth, ordered_json::parse_event_t event, ordered_json& parsed) {
    using Event = ordered_json::parse_event_t;
    if (event == Event::object_start || event == Event::array_start) {
      if (depth >= kMaxDepth) fail_at(text, read - 1, "nesting deeper than 256 levels");
      if (event == Event::object_start) keys.emplace_back();
    } else if (event == Event::key) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second)
        fail_at(text, key_start(text, read - 1), "duplicate key '" + key + "'");
    } else if (event == Event::object_end) {
      keys.pop_back();
    }
    return true;
  };
  try {
    return ordered_json::parse(CountingIterator(text.data(), &read),
                               CountingIterator(text.data() + text.size(), &read), check);
  } catch (const ordered_json::parse_error& e) {
    fail_at(text, e.byte == 0 ? 0 : e.byte - 1, description(e));  // byte counts the failing one
  } catch (const ordered_json::out_of_range& e) {
    // 1e999: the message quotes the literal, which ends where the lexer is.
    const std::string what = description(e);
    const std::size_t q = what.find('\'');
    const std::string literal = q == std::string::npos ? "" : what.substr(q + 1, what.size() - q - 2);
    const std::size_t at = text.substr(0, read).rfind(literal);
    fail_at(text, at == std::string_view::npos ? read : at, "number out of range: " + literal);
  } catch (const ordered_json::exception& e) {
    fail_at(text, read, description(e));
  }
}

std::string dump_strict(const ordered_json& v) {
  std::string path;
  auto non_finite = [](const ordered_json& x) { return x.is_number_float() && !std::isfinite(x.get<double>()); };
  auto no_key = [](const std::string&) { return false; };
  if (find_bad(v, non_finite, no_key, path))
    throw JsonError("JSON: cannot write a non-finite number (at " + where(path) + ")");
  try {
    return compact(v);
  } catch (const ordered_json::type_error& e) {
    if (e.id != 316) throw JsonError("JSON: cannot write: " + description(e));
    // Only now, on the error path, find which string it was.
    auto bad_utf8 = [](const std::string& s) {
      try {
        compact(ordered_json(s));
        return false;
      } catch (const ordered_json::type_error&) {
        return true;
      }
    };
    auto bad_string = [&](const ordered_json& x) {
      return x.is_string() && bad_utf8(x.get_ref<const std::string&>());
    };
    find_bad(v, bad_string, bad_utf8, path);
    throw JsonError("JSON: cannot write a string that is not valid UTF-8 (at " + where(path) + ": " +
                    description(e) + ")");
  }
}

}  // namespace bigpe::json
