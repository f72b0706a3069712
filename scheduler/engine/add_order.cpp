#include "scheduler/engine/add_order.h"

#include <algorithm>

#include "backends/sim/sim_text.h"
#include "scheduler/llm/heuristic/instruction_directives.h"

namespace bigpe::engine {

std::string adds_worst_first(const std::string& instruction, const std::map<std::string, double>& effects) {
  Directives d = parse_directives(instruction);
  if (d.add.size() < 2) return instruction;
  auto effect = [&](const std::string& p) {
    auto it = effects.find(sim::normalize_phrase(p));
    return it == effects.end() ? 0.0 : it->second;
  };
  std::vector<std::string> sorted = d.add;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const std::string& a, const std::string& b) { return effect(a) < effect(b); });
  if (sorted == d.add) return instruction;
  d.add = std::move(sorted);
  return format_instruction(d);
}

}  // namespace bigpe::engine
