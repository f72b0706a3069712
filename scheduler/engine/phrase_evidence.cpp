#include "scheduler/engine/phrase_evidence.h"

#include <algorithm>
#include <unordered_map>

#include "backends/sim/sim_text.h"

namespace bigpe::engine {

std::vector<std::string> prompt_phrases(const std::string& prompt) {
  std::vector<std::string> out;
  std::size_t start = prompt.find(',');
  while (start != std::string::npos) {
    const std::size_t end = prompt.find(',', start + 1);
    std::string p = sim::normalize_phrase(prompt.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1));
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
    start = end;
  }
  return out;
}

std::map<std::string, double> fit_phrase_effects(const std::vector<PhraseObservation>& obs, double ridge,
                                                 int sweeps) {
  // Index phrases and cells densely.
  std::unordered_map<std::string, int> index;
  std::vector<std::string> names;
  std::vector<std::vector<int>> x(obs.size());
  std::unordered_map<int, int> cell_index;
  std::vector<int> cell(obs.size());
  for (std::size_t r = 0; r < obs.size(); ++r) {
    for (const std::string& p : obs[r].phrases) {
      auto [it, added] = index.emplace(p, static_cast<int>(names.size()));
      if (added) names.push_back(p);
      x[r].push_back(it->second);
    }
    cell[r] = cell_index.emplace(obs[r].cell, static_cast<int>(cell_index.size())).first->second;
  }
  std::vector<std::vector<int>> renders_of(names.size()), renders_in(cell_index.size());
  for (std::size_t r = 0; r < obs.size(); ++r) {
    for (int p : x[r]) renders_of[static_cast<std::size_t>(p)].push_back(static_cast<int>(r));
    renders_in[static_cast<std::size_t>(cell[r])].push_back(static_cast<int>(r));
  }

  std::vector<double> beta(names.size(), 0.0), gamma(cell_index.size(), 0.0), fitted(obs.size(), 0.0);
  for (int it = 0; it < sweeps; ++it) {
    for (std::size_t c = 0; c < gamma.size(); ++c) {
      double s = 0;
      for (int r : renders_in[c]) s += obs[static_cast<std::size_t>(r)].score - fitted[static_cast<std::size_t>(r)];
      gamma[c] = s / static_cast<double>(renders_in[c].size());
    }
    for (std::size_t p = 0; p < beta.size(); ++p) {
      double s = 0;
      for (int r : renders_of[p]) {
        const std::size_t ri = static_cast<std::size_t>(r);
        s += obs[ri].score - gamma[static_cast<std::size_t>(cell[ri])] - (fitted[ri] - beta[p]);
      }
      const double next = s / (static_cast<double>(renders_of[p].size()) + ridge);
      for (int r : renders_of[p]) fitted[static_cast<std::size_t>(r)] += next - beta[p];
      beta[p] = next;
    }
  }
  std::map<std::string, double> out;
  for (std::size_t p = 0; p < names.size(); ++p) out[names[p]] = beta[p];
  return out;
}

}  // namespace bigpe::engine

namespace bigpe::engine {

double predicted_gain(const std::vector<std::vector<std::string>>& child,
                      const std::vector<std::vector<std::string>>& parent,
                      const std::map<std::string, double>& effects) {
  auto sum = [&](const std::vector<std::string>& phrases) {
    double s = 0;
    for (const std::string& p : phrases)
      if (auto it = effects.find(p); it != effects.end()) s += it->second;
    return s;
  };
  const std::size_t n = std::min(child.size(), parent.size());
  if (n == 0) return 0.0;
  double total = 0;
  for (std::size_t c = 0; c < n; ++c) total += sum(child[c]) - sum(parent[c]);
  return total / static_cast<double>(n);
}

}  // namespace bigpe::engine
