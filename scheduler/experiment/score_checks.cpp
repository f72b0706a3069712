#include "scheduler/experiment/score_checks.h"

#include <algorithm>
#include <stdexcept>

#include "scheduler/render/score_target.h"

namespace bigpe::engine {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<SettingProblem> score_problems(const ExperimentSettings& s) {
  std::vector<SettingProblem> problems;
  std::vector<std::string> scorers;
  try {
    scorers = scorer_list(s.score_scorers, s.backend);
  } catch (const std::invalid_argument& e) {
    return {{{"score.scorers"}, e.what()}};
  }
  auto known = [&](const std::string& name) { return std::find(scorers.begin(), scorers.end(), name) != scorers.end(); };
  const std::string choices = " is not one of the workers' scorers (score.scorers: " + joined(scorers) + ")";

  ScoreTarget target;
  try {
    target = parse_score_target(s.score_optimize);
    for (const ScoreTerm& t : target.terms)
      if (!known(t.scorer)) problems.push_back({{"score.optimize"}, "'" + t.scorer + "'" + choices});
  } catch (const std::invalid_argument& e) {
    problems.push_back({{"score.optimize"}, e.what()});
  }
  try {
    for (const std::string& judge : parse_judges(s.score_judges)) {
      if (!known(judge)) {
        problems.push_back({{"score.judges"}, "'" + judge + "'" + choices});
        continue;
      }
      const bool optimized = target.is_default()
                                 ? judge == scorers.front()
                                 : std::any_of(target.terms.begin(), target.terms.end(),
                                               [&](const ScoreTerm& t) { return t.scorer == judge; });
      if (optimized)
        problems.push_back({{"score.judges", "score.optimize"},
                            "'" + judge + "' is optimized (score.optimize" +
                                (target.is_default() ? std::string(" defaults to the first scorer") : "") +
                                "), so it is no held-out judge"});
    }
  } catch (const std::invalid_argument& e) {
    problems.push_back({{"score.judges"}, e.what()});
  }
  return problems;
}

}  // namespace bigpe::engine
