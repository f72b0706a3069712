#pragma once
// The score.* keys (scheduler/render/score_target.h), checked before a run
// starts: a list that does not parse, a weight that is not above 0, a name
// of score.optimize or score.judges that is not one of score.scorers, a
// judge that is also optimized. Part of check_experiment()
// (experiment_checks.h).
//
// Thread-safety: a pure function.
#include <vector>

#include "scheduler/experiment/experiment_checks.h"

namespace bigpe::engine {

std::vector<SettingProblem> score_problems(const ExperimentSettings& s);

}  // namespace bigpe::engine
