#include "scheduler/engine/evidence_pairs.h"

#include <algorithm>
#include <set>

namespace bigpe::engine {

namespace {

struct Candidate {
  std::size_t low = 0;
  const ScoredRender* high = nullptr;
  std::vector<std::string> exclusive;
  double value = 0.0;  // mean effect of the winner's exclusive phrases
};

double effect(const std::map<std::string, double>& effects, const std::string& p) {
  auto it = effects.find(p);
  return it == effects.end() ? 0.0 : it->second;
}

}  // namespace

std::vector<std::vector<ContrastPair>> evidence_pairs(const std::vector<ScoredRender>& lows,
                                                      const std::vector<ScoredRender>& all,
                                                      const std::map<std::string, double>& effects, int calls,
                                                      int pairs) {
  std::multimap<std::string, const ScoredRender*> by_query;
  for (const ScoredRender& r : all) by_query.emplace(r.query, &r);

  // Phrases the parent already uses on most of its cells are not targets.
  std::map<std::string, int> uses;
  for (const ScoredRender& l : lows)
    for (const std::string& p : l.phrases) ++uses[p];

  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < lows.size(); ++i) {
    const ScoredRender& low = lows[i];
    const std::set<std::string> mine(low.phrases.begin(), low.phrases.end());
    auto [from, to] = by_query.equal_range(low.query);
    for (auto it = from; it != to; ++it) {
      const ScoredRender& high = *it->second;
      if (high.score <= low.score || high.prompt == low.prompt) continue;
      Candidate c{i, &high, {}, 0.0};
      for (const std::string& p : high.phrases)
        if (!mine.count(p)) c.exclusive.push_back(p);
      if (c.exclusive.empty()) continue;
      for (const std::string& p : c.exclusive) c.value += effect(effects, p);
      c.value /= static_cast<double>(c.exclusive.size());
      candidates.push_back(std::move(c));
    }
  }

  // Targets: positive effect, not the parent's, reachable through a pair.
  std::set<std::string> reachable;
  for (const Candidate& c : candidates) reachable.insert(c.exclusive.begin(), c.exclusive.end());
  std::vector<std::pair<double, std::string>> targets;
  for (const std::string& p : reachable) {
    const double e = effect(effects, p);
    if (e > 0 && 2 * uses[p] < static_cast<int>(lows.size())) targets.push_back({e, p});
  }
  std::stable_sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  std::vector<std::vector<ContrastPair>> out;
  for (std::size_t t = 0; t < targets.size() && static_cast<int>(out.size()) < calls; ++t) {
    const std::string& target = targets[t].second;
    std::vector<const Candidate*> with;
    for (const Candidate& c : candidates)
      if (std::find(c.exclusive.begin(), c.exclusive.end(), target) != c.exclusive.end()) with.push_back(&c);
    std::stable_sort(with.begin(), with.end(), [](const Candidate* a, const Candidate* b) { return a->value > b->value; });
    std::set<std::size_t> used_low;
    std::vector<ContrastPair> chosen;
    for (const Candidate* c : with) {
      if (static_cast<int>(chosen.size()) >= pairs) break;
      if (!used_low.insert(c->low).second) continue;
      const ScoredRender& low = lows[c->low];
      chosen.push_back(ContrastPair{low.query, low.prompt, low.score, c->high->prompt, c->high->score});
    }
    out.push_back(std::move(chosen));
  }
  return out;
}

}  // namespace bigpe::engine
