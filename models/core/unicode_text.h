#pragma once
// Unicode helpers the CLIP tokenizer needs, without ICU: UTF-8 decoding and
// encoding, the character classes of its pre-tokenizer regex (\p{L}, \p{N},
// \s) and lowercasing.
//
// The class tables cover the scripts prompts are written in (Latin, Greek,
// Cyrillic, Armenian, Hebrew, Arabic, Indic, Thai, Georgian, Hangul, kana,
// CJK ideographs, fullwidth forms, letter-like and number-like symbols).
// Python's `regex` module knows every assigned code point; on text outside
// these tables (rare scripts) the token boundaries may differ. Lowercasing
// covers ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth
// Latin, one code point to one code point.
//
// Thread-safety: every function is reentrant (constant tables only).
#include <cstdint>
#include <string>
#include <vector>

namespace bigpe::models {

// Code points of a UTF-8 string. A malformed sequence (stray continuation
// byte, truncated sequence, overlong form, surrogate) decodes to U+FFFD per
// bad byte, as Python's errors="replace" does, so no input is rejected.
std::vector<char32_t> utf8_decode(const std::string& text);

// UTF-8 bytes of code points (values above U+10FFFF become U+FFFD).
std::string utf8_encode(const std::vector<char32_t>& code_points);
void utf8_append(std::string& out, char32_t cp);

bool is_letter(char32_t cp);      // \p{L}
bool is_number(char32_t cp);      // \p{N}
bool is_whitespace(char32_t cp);  // Python's \s for str patterns
char32_t to_lower(char32_t cp);

}  // namespace bigpe::models
