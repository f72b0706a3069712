#include "schemas/prompt_limit.h"

namespace bigpe {

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> prompt_limit_violation(const std::string& prompt, std::size_t max_chars) {
  if (max_chars == 0) return std::nullopt;
  const std::size_t n = utf8_length(prompt);
  if (n <= max_chars) return std::nullopt;
  return "prompt of " + std::to_string(n) + " characters exceeds the limit of " +
         std::to_string(max_chars) + " (render.max_prompt_chars; bigpe worker --max-prompt-chars)";
}

}  // namespace bigpe
