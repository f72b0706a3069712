#include "scheduler/serve/request_target.h"

namespace bigpe::serve {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space, const std::string& what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    char decoded = c;
    if (c == '%') {
      const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        throw BadRequest(what + ": bad percent escape at byte " + std::to_string(i) + " (expected %XX)");
      decoded = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      decoded = ' ';
    }
    if (is_control(static_cast<unsigned char>(decoded)))
      throw BadRequest(what + ": control byte (NUL or similar) at byte " + std::to_string(i));
    out.push_back(decoded);
  }
  return out;
}

RequestTarget parse_request_target(std::string_view raw) {
  if (raw.size() > kMaxTargetBytes)
    throw BadRequest("request target of " + std::to_string(raw.size()) + " bytes (at most " +
                     std::to_string(kMaxTargetBytes) + ")");
  if (raw.empty() || raw[0] != '/') throw BadRequest("request target does not start with /");
  const std::size_t q = raw.find('?');
  std::string_view path = raw.substr(0, q);
  // A fragment never reaches a server; one that does is not ours to read.
  if (raw.find('#') != std::string_view::npos) throw BadRequest("request target holds a # fragment");

  RequestTarget t;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view piece = path.substr(start, end - start);
    if (piece.empty()) {
      // Only a trailing "/" may be empty ("/" itself, "/api/").
      if (end != path.size()) throw BadRequest("empty path segment at byte " + std::to_string(start));
      break;
    }
    const std::string where = "path segment at byte " + std::to_string(start);
    std::string seg = percent_decode(piece, false, where);
    if (seg == "." || seg == "..") throw BadRequest(where + ": '" + seg + "' is refused");
    if (seg.find('/') != std::string::npos || seg.find('\\') != std::string::npos)
      throw BadRequest(where + ": an encoded / or \\ is refused");
    if (t.segments.size() == kMaxSegments)
      throw BadRequest("more than " + std::to_string(kMaxSegments) + " path segments");
    t.segments.push_back(std::move(seg));
    start = end + 1;
  }

  if (q == std::string_view::npos) return t;
  std::string_view query = raw.substr(q + 1);
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    const std::size_t offset = q + 1 + pos;
    pos = amp + 1;
    if (pair.empty()) continue;  // "a=1&&b=2"
    const std::size_t eq = pair.find('=');
    const std::string where = "query parameter at byte " + std::to_string(offset);
    std::string key = percent_decode(pair.substr(0, eq), true, where);
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true, where);
    if (key.empty()) throw BadRequest(where + ": empty name");
    if (t.query.size() == kMaxQueryParams)
      throw BadRequest("more than " + std::to_string(kMaxQueryParams) + " query parameters");
    if (!t.query.emplace(std::move(key), std::move(value)).second)
      throw BadRequest(where + ": '" + std::string(pair.substr(0, eq)) + "' given twice");
  }
  return t;
}

}  // namespace bigpe::serve
