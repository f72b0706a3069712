#pragma once
// The request target of `bigpe serve` ("/api/experiments/ID?x=1"), parsed
// before any route sees it, from the raw bytes of the request line (not
// httplib's decoded path), so that every hostile shape is refused in one
// place: a target over kMaxTargetBytes, one not starting with "/", a bad
// percent escape ("%", "%4", "%zz"), a NUL or other control byte (raw or
// decoded), a "." or ".." segment, an empty segment ("//"), a decoded "/"
// or "\" inside a segment, too many segments or query parameters, and a
// repeated query key. Each refusal is a BadRequest naming what and where
// (byte offset).
//
// Thread-safety: pure functions.
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bigpe::serve {

inline constexpr std::size_t kMaxTargetBytes = 2048;
inline constexpr std::size_t kMaxSegments = 16;
inline constexpr std::size_t kMaxQueryParams = 16;

class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RequestTarget {
  std::vector<std::string> segments;  // decoded; "/" is none
  std::map<std::string, std::string> query;  // decoded; "+" is a space
};

// Throws BadRequest.
RequestTarget parse_request_target(std::string_view raw);

// Decodes %XX escapes (and "+" as a space when `plus_is_space`); throws
// BadRequest naming `what` and the offset of a bad escape or a control byte.
std::string percent_decode(std::string_view text, bool plus_is_space, const std::string& what);

}  // namespace bigpe::serve
