#pragma once
// Contrast pairs chosen by phrase evidence (phrase_evidence.h) for the
// budget loop's gradient calls.
//
// The gradient calculator credits each pair's gap to the phrases that only
// the winner used and turns the best-credited ones into "Add" advice. Shown
// the best prompt per query, it credits whatever that winner happened to
// carry. Here each call is built around one target phrase: a phrase the
// pooled evidence rates well and the parent does not use yet. The call sees
// only pairs whose winner uses the target (one per cell of the parent,
// winners whose other exclusive phrases are rated well first), so the
// calculator's credit piles onto the target. Calls take targets best first.
// Pure function; thread-safe.
#include <map>
#include <string>
#include <vector>

#include "scheduler/agents/contrast_pair.h"

namespace bigpe::engine {

struct ScoredRender {
  std::string query;
  std::string prompt;
  double score = 0.0;
  std::vector<std::string> phrases;  // prompt_phrases(prompt)
};

// lows: the parent's renders; all: every render of the run (the parent's
// included). Returns at most `calls` pair lists of at most `pairs` pairs,
// one per target phrase with a positive effect; fewer when targets run out.
std::vector<std::vector<ContrastPair>> evidence_pairs(const std::vector<ScoredRender>& lows,
                                                      const std::vector<ScoredRender>& all,
                                                      const std::map<std::string, double>& effects, int calls,
                                                      int pairs);

}  // namespace bigpe::engine
