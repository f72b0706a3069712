#pragma once
// The cells of a budget-loop run: cell i is a (training query, image seed,
// generator sample index) triple that every instruction is rendered on when
// it gets its (i+1)-th render, so two instructions are always compared on
// the same queries, seeds and generator draws (paired comparisons with
// common random numbers). Queries go round the shuffled training set, so
// the first 80 cells are 80 different queries.
//
// Everything is a pure function of (experiment seed, cell index): a resumed
// run sees the same cells. Not thread-safe (the plan memoizes cells).
#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/engine/engine_context.h"

namespace bigpe::engine {

struct Cell {
  std::string query;
  int64_t seed = 0;
  int sample = 0;  // generator sample index
};

class CellPlan {
 public:
  explicit CellPlan(const EngineContext& ctx) : ctx_(ctx) {}
  const Cell& at(int index);
  // The professional prompts rendered on cell `index` (the first
  // pro_cells() cells only, pro_per_cell() of the query's rows each).
  std::vector<std::string> professional(int index);
  // Professional prompts per cell: budget.pro_per_cell, else
  // professional.count.
  int pro_per_cell() const;
  // Cells with professional renders: budget.pro_share of budget.renders
  // when both are set (the exemplars and the phrase evidence are worth a
  // fixed share of any budget), else budget.pro_cells.
  int pro_cells() const;

 private:
  const EngineContext& ctx_;
  std::vector<Cell> cells_;
};

}  // namespace bigpe::engine
