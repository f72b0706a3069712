#include "scheduler/serve/access_token.h"

#include <fstream>
#include <stdexcept>

namespace bigpe::serve {

AccessToken AccessToken::from_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("--token-file " + path + ": cannot be read");
  std::string line;
  std::getline(f, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.size() < 16)
    throw std::runtime_error("--token-file " + path + ": the first line holds " + std::to_string(line.size()) +
                             " characters; use a token of at least 16 (e.g. openssl rand -hex 16)");
  AccessToken t;
  t.token_ = line;
  return t;
}

bool AccessToken::matches(const std::string& candidate) const {
  // Constant time in the candidate's content (a length mismatch still
  // walks the whole token).
  unsigned char diff = candidate.size() == token_.size() ? 0 : 1;
  for (std::size_t i = 0; i < token_.size(); ++i)
    diff |= static_cast<unsigned char>(token_[i] ^ (i < candidate.size() ? candidate[i] : 0));
  return diff == 0;
}

bool AccessToken::allows(const std::string& authorization, const std::string& cookie) const {
  if (!required()) return true;
  const std::string bearer = "Bearer ";
  if (authorization.compare(0, bearer.size(), bearer) == 0 && matches(authorization.substr(bearer.size())))
    return true;
  // Cookie: a=1; bigpe_token=...; b=2
  const std::string name = std::string(kTokenCookie) + "=";
  std::size_t pos = 0;
  while (pos < cookie.size()) {
    std::size_t end = cookie.find(';', pos);
    if (end == std::string::npos) end = cookie.size();
    std::size_t start = cookie.find_first_not_of(' ', pos);
    if (start < end && cookie.compare(start, name.size(), name) == 0 &&
        matches(cookie.substr(start + name.size(), end - start - name.size())))
      return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace bigpe::serve
