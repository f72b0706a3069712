#pragma once
// Checks of a generated prompt beyond its format: an LLM that refuses or
// talks about itself still answers in one clean line, and a rewrite can
// lose the very subject it was asked to refine.
//
// Thread-safety: pure functions.
#include <string>

namespace bigpe {

// True for a reply that is a refusal or talk about the model rather than a
// prompt ("I am an AI language model and cannot see images", "I'm sorry,
// I can't ..."), in any case.
bool looks_like_refusal(const std::string& prompt);

// True when the prompt holds at least one word of the query (letters and
// digits, three or more, any case); true for a query without such a word.
bool keeps_subject(const std::string& prompt, const std::string& query);

}  // namespace bigpe
