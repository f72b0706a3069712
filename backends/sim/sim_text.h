#pragma once
// Text primitives of the sim-v1 benchmark (docs/sim-v1.md section 1):
// its tokeniser, stemmer, stop-word set and SHA-256 hash normals. They are
// part of the benchmark's definition, so they follow the reference to the
// letter; the scorer, the vocabulary and the heuristic agents all share them.
//
// Thread-safety: every function is pure and safe to call concurrently.
#include <string>
#include <string_view>
#include <vector>

namespace bigpe::sim {

// The ASCII tokens of `text` matching [A-Za-z0-9]+('[A-Za-z]+)?, lowercased.
// Every other byte (including non-ASCII UTF-8 bytes) separates tokens.
std::vector<std::string> words(const std::string& text);
// The same tokens written into *out (resized to fit), reusing its strings'
// storage: for hot loops that tokenise many prompts.
void words_into(const std::string& text, std::vector<std::string>* out);

// Drops a final 's' when the word is longer than 3 characters and does not
// end in "ss" ("clouds" -> "cloud", "glass" -> "glass", "bus" -> "bus").
std::string stem(const std::string& w);
// The same rule without allocating: a view of `w` minus its final 's'.
std::string_view stem_view(std::string_view w);

// True for the reference's STOP set ("a", "the", "with", ...).
bool is_stop_word(std::string_view w);

// " ".join(words(text)): the canonical form of a query or phrase in keys.
std::string normalize_phrase(const std::string& text);

// Standard normal derived from SHA-256 of `key` (Box-Muller, cosine branch):
// a fixed, platform-independent pseudo-random draw per key.
double hz(const std::string& key);

}  // namespace bigpe::sim
