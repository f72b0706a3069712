#include <stdexcept>

#include "scheduler/selection/greedy_selector.h"
#include "scheduler/selection/selector.h"
#include "scheduler/selection/ucb_paper_selector.h"
#include "scheduler/selection/ucb_selector.h"

namespace bigpe::engine {

std::unique_ptr<Selector> make_selector(const SelectorSettings& s) {
  if (s.kind == "ucb") return std::make_unique<UcbSelector>(s.c);
  if (s.kind == "ucb-paper") return std::make_unique<UcbPaperSelector>(s.c);
  if (s.kind == "greedy") return std::make_unique<GreedySelector>();
  if (s.kind == "eps-greedy") return std::make_unique<EpsGreedySelector>(s.epsilon);
  throw std::invalid_argument("selector.kind: unknown selector '" + s.kind +
                              "' (expected ucb, ucb-paper, greedy or eps-greedy)");
}

}  // namespace bigpe::engine
