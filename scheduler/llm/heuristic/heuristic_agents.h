#pragma once
// The four offline agents behind HeuristicLlm (docs/sim-v1.md section
// 2), one per file: heuristic_generator.cpp, heuristic_gradient.cpp,
// heuristic_modifier.cpp (modifier and fallback). Each reads the user
// message of its role's format and returns the response text; a message
// that does not match throws LlmError naming the role and what is missing.
// Internal to scheduler/llm; callers use HeuristicLlm.
//
// Thread-safety: pure functions of their arguments (the random stream is
// passed in or derived from the arguments).
#include <string>

#include "common/seeded_rng.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"

namespace bigpe::heuristic {

// Separates the instruction from the query in a generator message; the last
// occurrence counts, so a query may contain the text itself.
inline constexpr const char* kQuerySeparator = ", Prompt or subject to refine : ";

// user = "{instruction}, Prompt or subject to refine : {query}". Seeds its
// own streams from (seed, query, sample_index) only.
std::string generate(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                     const std::string& user, int sample_index);

// user = the gradient calculator message with contrast pairs.
std::string calculate_gradient(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                               const std::string& user, SeededRng& rng);

// user = "Improvement suggestion: <<<...>>>\nCurrent instruction: <<<...>>>...".
std::string modify_instruction(const HeuristicOptions& opts, const std::string& user, SeededRng& rng);

// user = "Current instruction: <<<...>>>..."; three "Instruction k:" blocks,
// or one empty one with opts.fallback_quirk.
std::string fallback_instructions(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                                  const std::string& user, SeededRng& rng);

// The text between "<label><<<" and the next ">>>" (label e.g.
// "Instruction: "). Throws LlmError naming `role` and the label when absent
// or unterminated.
std::string extract_block(const std::string& text, const std::string& label, const char* role);

}  // namespace bigpe::heuristic
