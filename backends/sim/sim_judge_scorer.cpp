#include "backends/sim/sim_judge_scorer.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace bigpe {
namespace {

const char* const kRhoOption = "sim.judge_rho";

std::string rho_text(double rho) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", rho);
  return buf;
}

// NaN fails both comparisons, so it is refused too.
void check_rho(double rho) {
  if (!(rho >= -1.0 && rho <= 1.0))
    throw std::invalid_argument(std::string("sim judge: rho = ") + rho_text(rho) +
                                " must be in [-1, 1] (option " + kRhoOption + ")");
}

}  // namespace

SimJudgeScorer::SimJudgeScorer(std::shared_ptr<const sim::Vocabulary> vocab)
    : sim_(std::move(vocab)) {
  identity_ = "sim-judge-v1;vocab=" + sim::vocabulary_hash(sim_.vocabulary());
}

SimScorer::Breakdown SimJudgeScorer::explain(const std::string& prompt, const std::string& query,
                                             int64_t seed, int64_t taste, double rho,
                                             const SimConstants& c) const {
  check_rho(rho);
  const SimScorer::JudgeMix mix{rho, std::sqrt(1.0 - rho * rho)};
  SimScorer::Breakdown b;
  sim_.compute(prompt, query, seed, taste, c, &mix, &b);
  return b;
}

double SimJudgeScorer::score_prompt(const std::string& prompt, const std::string& query,
                                    int64_t seed, int64_t taste, double rho,
                                    const SimConstants& c) const {
  check_rho(rho);
  const SimScorer::JudgeMix mix{rho, std::sqrt(1.0 - rho * rho)};
  return sim_.compute(prompt, query, seed, taste, c, &mix, nullptr);
}

double SimJudgeScorer::weight(const std::string& phrase, const std::string& query, int64_t taste,
                              double rho, const SimConstants& c) const {
  check_rho(rho);
  const SimScorer::JudgeMix mix{rho, std::sqrt(1.0 - rho * rho)};
  return sim_.mixed_weight(phrase, query, taste, c, &mix);
}

std::vector<double> SimJudgeScorer::score(const std::vector<Image>& images,
                                          const std::vector<std::string>& texts,
                                          const schemas::RenderParams& params) {
  if (images.size() != texts.size())
    throw std::runtime_error("sim-judge scorer: " + std::to_string(images.size()) +
                             " images but " + std::to_string(texts.size()) + " texts");
  int64_t taste = 0;
  double rho = kDefaultJudgeRho;
  SimConstants c;
  try {
    taste = sim_taste_seed(params.options);
    rho = sim_judge_rho(params.options);
    c = SimConstants::from_options(params.options);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("sim-judge scorer: ") + e.what());
  }
  std::vector<double> out;
  out.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i)
    out.push_back(score_prompt(images[i].prompt, texts[i], images[i].seed, taste, rho, c));
  return out;
}

std::vector<std::string> SimJudgeScorer::option_names() const {
  std::vector<std::string> out = sim_.option_names();
  out.push_back(kRhoOption);
  return out;
}

double sim_judge_rho(const std::map<std::string, std::string>& options) {
  auto it = options.find(kRhoOption);
  if (it == options.end()) return kDefaultJudgeRho;
  const double rho = parse_sim_option_number(it->first, it->second);
  if (rho < -1.0 || rho > 1.0)
    throw std::invalid_argument("option " + it->first + " = \"" + it->second +
                                "\": must be in [-1, 1]");
  return rho;
}

}  // namespace bigpe
