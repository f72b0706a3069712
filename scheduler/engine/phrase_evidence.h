#pragma once
// Phrase evidence: which comma-separated phrases of the rendered prompts
// go with higher scores, pooled over every render the budget loop paid for
// (instructions' and professional prompts').
//
// Why: the gradient calculator reads only the contrast pairs it is shown,
// and credits the winner's exclusive phrases; with the single best prompt
// per query as the winner, its credit falls on phrases that won once,
// mostly by seed noise. The loop sees far more than one pair: every render
// on a cell is compared with every other render on that cell (same query,
// seed and generator draw). This model pools those comparisons into one
// estimate per phrase, so the loop can show the calculator the pairs whose
// winners carry phrases that won repeatedly.
//
// Model: score[r] = gamma_cell(r) + sum over phrases p of r: beta_p + noise,
// cell effects free (the query, the shared seed noise, the subject and
// filler cancel within a cell), beta ridge-shrunk towards 0, solved by
// coordinate descent. A cell with one render says nothing about phrases.
// The first segment of a prompt (subject and prose) is not a phrase. A
// phrase on every render of each of its cells is not identified (the fit
// leaves it near 0); it cancels in every within-cell comparison anyway.
// Pure functions; thread-safe.
#include <map>
#include <string>
#include <vector>

namespace bigpe::engine {

struct PhraseObservation {
  int cell = 0;
  std::vector<std::string> phrases;  // prompt_phrases() of the rendered prompt
  double score = 0.0;
};

// The comma-separated segments after the first, normalized (lowercase
// words joined by single spaces), empty ones and repeats dropped.
std::vector<std::string> prompt_phrases(const std::string& prompt);

// beta per phrase seen in `obs`. ridge: the prior's weight in units of one
// render (noise variance / prior variance of a phrase effect).
std::map<std::string, double> fit_phrase_effects(const std::vector<PhraseObservation>& obs, double ridge = 3.0,
                                                 int sweeps = 30);

}  // namespace bigpe::engine

namespace bigpe::engine {

// Predicted score gain of a child instruction over its parent, before any
// render is paid for: the generator is free, so both are written out on the
// same cells, and the gain is the mean over those cells of the summed
// effects of the child's prompt's phrases minus the parent's. Phrases
// without evidence count 0. This also charges a child for the good phrases
// its edit dropped (the modifier keeps only the last six Adds).
// child[c], parent[c]: prompt_phrases of the two prompts on cell c.
double predicted_gain(const std::vector<std::vector<std::string>>& child,
                      const std::vector<std::vector<std::string>>& parent,
                      const std::map<std::string, double>& effects);

}  // namespace bigpe::engine
