#pragma once
// The token of `bigpe serve --token-file F`: read once from the file's first
// line, and accepted only from an "Authorization: Bearer <token>" header or
// the HttpOnly cookie that the login form sets, never from a URL (URLs end
// up in logs and browser history). Compared in constant time.
//
// Thread-safety: immutable after construction.
#include <string>

namespace bigpe::serve {

inline constexpr const char* kTokenCookie = "bigpe_token";

class AccessToken {
 public:
  AccessToken() = default;  // no token: every request is allowed
  // Throws std::runtime_error naming the file when it is unreadable or
  // its first line is shorter than 16 characters.
  static AccessToken from_file(const std::string& path);

  bool required() const { return !token_.empty(); }
  // `authorization`: the Authorization header; `cookie`: the Cookie header.
  bool allows(const std::string& authorization, const std::string& cookie) const;
  bool matches(const std::string& candidate) const;

 private:
  std::string token_;
};

}  // namespace bigpe::serve
