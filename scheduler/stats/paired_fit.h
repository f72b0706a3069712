#pragma once
// Paired estimates of instruction means from per-cell scores. The budget
// loop renders every arm on a prefix of one shared sequence of cells
// (query, image seed, generator sample), so a cell's query offset, shared
// seed noise and shared generator draws hit every arm rendered there alike.
// The fit removes them with an additive model
//
//   score[a][c] = mu_a + gamma_c + noise,
//
// the cell effects gamma shrunk towards 0 (a random effect: a cell seen by
// one arm only still says a little about that arm), solved by alternating
// means. Pure function; thread-safe.
#include <vector>

namespace bigpe::engine {

struct PairedFit {
  std::vector<double> means;  // per arm; 0 for an arm with no cells
  double residual_sd = 0.0;   // pooled over arms and cells
};

// arms[a][c] = arm a's score on cell c (arms[a].size() cells, a prefix).
// shrink: the cell-effect prior's weight in units of one observation.
PairedFit fit_paired(const std::vector<const std::vector<double>*>& arms, double shrink = 0.5,
                     int sweeps = 25);

}  // namespace bigpe::engine
