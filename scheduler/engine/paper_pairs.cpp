#include "scheduler/engine/paper_pairs.h"

namespace bigpe::engine {

std::vector<ContrastPair> paper_contrast_pairs(const IterationRecord& rec, const ArmRecord& low) {
  std::vector<ContrastPair> pairs;
  const std::vector<std::string>& Q = rec.queries;
  for (std::size_t qi = 0; qi < Q.size(); ++qi) {
    std::string best_prompt = rec.arms[0].prompts[qi];
    double best_score = rec.arms[0].scores[qi];
    for (const ArmRecord& arm : rec.arms)
      if (arm.scores[qi] > best_score) {
        best_score = arm.scores[qi];
        best_prompt = arm.prompts[qi];
      }
    for (const ProfessionalRecord& p : rec.professional)
      if (p.query == Q[qi] && p.score > best_score) {
        best_score = p.score;
        best_prompt = p.prompt;
      }
    if (best_prompt != low.prompts[qi]) pairs.push_back({Q[qi], low.prompts[qi], low.scores[qi], best_prompt, best_score});
  }
  return pairs;
}

}  // namespace bigpe::engine
