#include "scheduler/engine/budget_cells.h"

#include <cmath>

#include "common/seeded_rng.h"

namespace bigpe::engine {

const Cell& CellPlan::at(int index) {
  const ExperimentSettings& s = ctx_.settings;
  const std::vector<std::string>& train = ctx_.queries.train;
  while (static_cast<int>(cells_.size()) <= index) {
    const int i = static_cast<int>(cells_.size());
    const int lap = i / static_cast<int>(train.size());
    std::vector<std::string> order = train;
    SeededRng(stream_key(s, "cell-queries", lap)).shuffle(order);
    Cell c;
    c.query = order[static_cast<std::size_t>(i) % train.size()];
    c.seed = image_seed(stream_key(s, "cell-image", i));
    // Same layout as training_sample_index: multiples of 64 in [2^29, 2^30),
    // away from the evaluation's small indices.
    const int64_t r = image_seed(stream_key(s, "cell-sample", i)) % (int64_t{1} << 29);
    c.sample = static_cast<int>((int64_t{1} << 29) + r - r % 64);
    cells_.push_back(std::move(c));
  }
  return cells_[static_cast<std::size_t>(index)];
}

int CellPlan::pro_per_cell() const {
  const ExperimentSettings& s = ctx_.settings;
  return s.budget.pro_per_cell > 0 ? s.budget.pro_per_cell : s.pro_count;
}

int CellPlan::pro_cells() const {
  const BudgetSettings& b = ctx_.settings.budget;
  if (b.pro_share <= 0 || b.renders <= 0 || pro_per_cell() <= 0) return b.pro_cells;
  return static_cast<int>(std::lround(b.pro_share * static_cast<double>(b.renders) / pro_per_cell()));
}

std::vector<std::string> CellPlan::professional(int index) {
  const ExperimentSettings& s = ctx_.settings;
  if (index >= pro_cells() || s.pro_source == "none" || pro_per_cell() == 0) return {};
  const std::string& q = at(index).query;
  std::vector<std::string> rows = ctx_.prodb.rows_for(q);
  if (rows.empty()) rows = ctx_.prodb.exemplars(q, static_cast<std::size_t>(s.pro_exemplars));
  SeededRng rng(stream_key(s, "cell-professional|" + q, index));
  return rng.sample(rows, static_cast<std::size_t>(pro_per_cell()));
}

}  // namespace bigpe::engine
