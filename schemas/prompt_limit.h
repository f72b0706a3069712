#pragma once
// The longest prompt a render may carry (config key render.max_prompt_chars,
// `bigpe worker --max-prompt-chars`). Checked twice: by the scheduler before
// it submits (a clear error at the source) and by the worker before it
// renders (a worker must not trust its peers; the broker forwards bodies
// unread). Text encoders truncate long prompts anyway (CLIP reads 77
// tokens), so a prompt of thousands of characters is a bug upstream, or an
// attempt to make workers allocate.
//
// Thread-safety: pure functions.
#include <cstddef>
#include <optional>
#include <string>

namespace bigpe {

inline constexpr std::size_t kDefaultMaxPromptChars = 8192;

// Unicode code points in UTF-8 text (bytes that do not continue a sequence).
std::size_t utf8_length(const std::string& text);

// nullopt when `prompt` has at most `max_chars` characters (or max_chars is
// 0: no limit); otherwise the reason, e.g. "prompt of 9000 characters
// exceeds the limit of 8192 (render.max_prompt_chars; ...)".
std::optional<std::string> prompt_limit_violation(const std::string& prompt, std::size_t max_chars);

}  // namespace bigpe
