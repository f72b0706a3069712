#pragma once
// Text cleaning the CLIP tokenizer applies before splitting words, as
// openai/CLIP's simple_tokenizer does: html.unescape twice, strip, collapse
// whitespace runs to one space, lowercase. ftfy.fix_text (mojibake repair)
// is not reproduced: it only changes already-broken Unicode.
//
// Thread-safety: reentrant (constant tables only).
#include <string>

namespace bigpe::models {

// Python's html.unescape: numeric references (&#233; &#xE9;, with the
// same replacements for invalid ones) and named entities. The named table
// holds the entities prompts use (markup, quotes, dashes, Latin-1 letters,
// symbols), not all 2,231 of HTML5; an unknown name is left as written.
std::string html_unescape(const std::string& text);

// The whole cleaning: unescape twice, collapse Unicode whitespace runs to
// one space, strip, lowercase. Invalid UTF-8 bytes become U+FFFD.
std::string clean_text(const std::string& text);

}  // namespace bigpe::models
