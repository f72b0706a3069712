#include "scheduler/selection/ucb_paper_selector.h"

#include <cmath>
#include <limits>

namespace bigpe::engine {

std::vector<int> UcbPaperSelector::select(const std::vector<Candidate>& candidates, int keep,
                                          int iteration, HistoryTable& history, SeededRng&) {
  std::vector<int> remaining;
  for (std::size_t i = 0; i < candidates.size(); ++i) remaining.push_back(static_cast<int>(i));
  std::vector<int> chosen;
  const double t = 1.0 + static_cast<double>(iteration) * keep;
  for (int slot = 0; slot < keep && !remaining.empty(); ++slot) {
    double best = -std::numeric_limits<double>::infinity();
    std::size_t best_pos = 0;
    for (std::size_t pos = 0; pos < remaining.size(); ++pos) {
      ArmHistory& h = history.at(candidates[remaining[pos]].text);
      double value = h.mean() + c_ * std::sqrt(std::log(t + slot) / static_cast<double>(h.considered));
      ++h.considered;  // the quirk: counted on consideration
      if (value > best) {
        best = value;
        best_pos = pos;
      }
    }
    chosen.push_back(remaining[best_pos]);
    remaining.erase(remaining.begin() + static_cast<long>(best_pos));
  }
  return chosen;
}

}  // namespace bigpe::engine
