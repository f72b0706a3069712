#pragma once
// The paper loop's contrast pairs of one iteration: per query, I_low's
// prompt against the best prompt for that query among the arms and the
// professional prompts (none where I_low's prompt is that best). A pure
// function of the iteration record, so `bigpe serve` shows the pairs the
// gradient calculator saw without storing them twice.
#include <vector>

#include "scheduler/agents/contrast_pair.h"
#include "scheduler/experiment/iteration_record.h"

namespace bigpe::engine {

// REQUIRES: rec.arms[low] exists and every arm has one prompt and score per query.
std::vector<ContrastPair> paper_contrast_pairs(const IterationRecord& rec, const ArmRecord& low);

}  // namespace bigpe::engine
