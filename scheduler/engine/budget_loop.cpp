#include "scheduler/engine/budget_loop.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/seeded_rng.h"
#include "scheduler/engine/add_order.h"
#include "scheduler/engine/evidence_pairs.h"
#include "scheduler/engine/iteration_boundary.h"
#include "common/fault_point.h"
#include "scheduler/engine/paper_loop.h"
#include "common/parallel_for.h"
#include "scheduler/engine/phrase_evidence.h"
#include "scheduler/experiment/experiment_checks.h"

namespace bigpe::engine {

const std::string BudgetLoop::kProfessionalKey = "\x1f" "professional";

namespace {

// GC call j of a step uses sample index si + 4j and its modifier calls
// si + 4j + k (k < 4 improvements): kMaxBudgetGradientCalls (16) calls fit
// the 64 indices of a step.
constexpr int kSampleStride = 4;
// Cells on which a child's prompts are written out to predict its gain.
constexpr int kScreenCells = 8;

}  // namespace

// The arms of one step's round, rendering on demand under the round's
// share of the budget.
class RoundPanel : public ArmPanel {
 public:
  RoundPanel(BudgetLoop& loop, ExperimentState& state, std::vector<std::string> ids, long budget,
             IterationRecord& rec)
      : loop_(loop), state_(state), ids_(std::move(ids)), left_(budget), rec_(rec) {
    for (const std::string& id : ids_) texts_.push_back(state_.instructions.at(id).text);
    refit();
  }

  std::size_t size() const override { return ids_.size(); }
  int cells(std::size_t arm) const override { return static_cast<int>(scores(arm).size()); }
  double estimate(std::size_t arm) const override { return means_[arm]; }
  long budget_left() const override { return left_; }
  double residual_sd() const { return residual_sd_; }

  void pull(const std::vector<std::pair<std::size_t, int>>& requests) override {
    std::vector<std::pair<std::size_t, int>> planned;  // (arm, cell)
    std::map<std::size_t, int> next;
    for (const auto& [arm, count] : requests)
      for (int k = 0; k < count && static_cast<long>(planned.size()) < left_; ++k) {
        auto it = next.emplace(arm, cells(arm)).first;
        planned.push_back({arm, it->second++});
      }
    if (planned.empty()) return;
    std::vector<std::pair<std::string, int>> wanted;
    for (const auto& [arm, cell] : planned) wanted.push_back({texts_[arm], cell});
    loop_.prepare(wanted);
    std::vector<RenderJob> jobs;
    for (const auto& [arm, cell] : planned) {
      const Cell& c = loop_.cells_.at(cell);
      jobs.push_back({loop_.prompt(texts_[arm], cell), c.query, c.seed});
    }
    std::vector<RenderOutcome> out = loop_.ctx_.renders.run(jobs);
    for (std::size_t j = 0; j < planned.size(); ++j) {
      const std::size_t arm = planned[j].first;
      state_.history[texts_[arm]].scores.push_back(out[j].score);
      ++state_.history[texts_[arm]].pulls;
      record(arm, jobs[j], out[j].score);
    }
    state_.renders_spent += static_cast<long>(jobs.size());
    left_ -= static_cast<long>(jobs.size());
    refit();
  }

 private:
  const std::vector<double>& scores(std::size_t arm) const {
    static const std::vector<double> kNone;
    auto it = state_.history.find(texts_[arm]);
    return it == state_.history.end() ? kNone : it->second.scores;
  }

  void refit() {
    std::vector<std::string> texts;
    PairedFit f = loop_.fit(state_, &texts);
    means_.assign(ids_.size(), 0.0);
    for (std::size_t a = 0; a < ids_.size(); ++a) {
      auto at = std::find(texts.begin(), texts.end(), texts_[a]);
      if (at != texts.end()) means_[a] = f.means[static_cast<std::size_t>(at - texts.begin())];
    }
    residual_sd_ = f.residual_sd;
  }

  void record(std::size_t arm, const RenderJob& job, double score) {
    auto it = std::find_if(rec_.arms.begin(), rec_.arms.end(),
                           [&](const ArmRecord& r) { return r.id == ids_[arm]; });
    if (it == rec_.arms.end()) {
      rec_.arms.push_back(ArmRecord{ids_[arm], texts_[arm], {}, {}, 0.0, {}});
      it = rec_.arms.end() - 1;
    }
    it->prompts.push_back(job.prompt);
    it->scores.push_back(score);
    if (std::find(rec_.queries.begin(), rec_.queries.end(), job.score_text) == rec_.queries.end())
      rec_.queries.push_back(job.score_text);
  }

  BudgetLoop& loop_;
  ExperimentState& state_;
  std::vector<std::string> ids_, texts_;
  long left_;
  IterationRecord& rec_;
  std::vector<double> means_;
  double residual_sd_ = 0.0;
};

BudgetLoop::BudgetLoop(EngineContext& ctx)
    : ctx_(ctx),
      allocator_(make_allocator(
          allocator_settings(ctx.settings.selector, ctx.settings.budget.min_cells, ctx.settings.budget.chunk))),
      cells_(ctx) {
  // The check `bigpe run` makes before it starts (experiment_checks.h).
  refuse_setting_problems(loop_problems(ctx.settings));
}

long BudgetLoop::budget_left(const ExperimentState& state) const {
  if (ctx_.settings.budget.renders <= 0) return std::numeric_limits<long>::max() / 4;
  return std::max(0L, ctx_.settings.budget.renders - state.renders_spent);
}

const std::string& BudgetLoop::prompt(const std::string& text, int cell) {
  prepare({{text, cell}});
  return prompts_.at({text, cell});
}

void BudgetLoop::prepare(const std::vector<std::pair<std::string, int>>& wanted) {
  std::vector<std::pair<std::string, int>> missing;
  for (const auto& w : wanted)
    if (!prompts_.count(w) && std::find(missing.begin(), missing.end(), w) == missing.end()) missing.push_back(w);
  if (missing.empty()) return;
  for (const auto& [text, cell] : missing) cells_.at(cell);  // memoize before threads read the plan
  std::vector<std::string> made = parallel_map<std::string>(
      missing.size(), ctx_.settings.llm_concurrency(), [&](std::size_t k) {
        const Cell& c = cells_.at(missing[k].second);
        return ctx_.generator.generate(missing[k].first, c.query, c.sample);
      });
  for (std::size_t k = 0; k < missing.size(); ++k) prompts_[missing[k]] = made[k];
}

void BudgetLoop::render_professional(ExperimentState& state) {
  // Rendered once, on the first step, with the cells' own seeds (paired
  // with the arms there), and kept for the whole run as exemplars.
  ArmHistory& h = state.history[kProfessionalKey];
  if (!h.scores.empty() || h.pulls > 0) return;
  std::vector<RenderJob> jobs;
  for (int i = 0; i < cells_.pro_cells(); ++i) {
    const Cell& c = cells_.at(i);
    for (const std::string& p : cells_.professional(i)) jobs.push_back({p, c.query, c.seed});
  }
  if (static_cast<long>(jobs.size()) > budget_left(state)) jobs.resize(static_cast<std::size_t>(budget_left(state)));
  h.pulls = 1;  // marks "done" even when there was nothing to render
  if (jobs.empty()) return;
  for (const RenderOutcome& o : ctx_.renders.run(jobs)) h.scores.push_back(o.score);
  state.renders_spent += static_cast<long>(jobs.size());
}

PairedFit BudgetLoop::fit(const ExperimentState& state, std::vector<std::string>* texts) const {
  std::vector<const std::vector<double>*> arms;
  texts->clear();
  for (const auto& [text, h] : state.history) {
    if (text == kProfessionalKey || h.scores.empty()) continue;
    texts->push_back(text);
    arms.push_back(&h.scores);
  }
  return fit_paired(arms);
}

std::vector<std::string> BudgetLoop::expand(ExperimentState& state, const std::vector<std::string>& parents,
                                            IterationRecord& rec, int step) {
  const ExperimentSettings& s = ctx_.settings;
  // Best prompt seen so far per query: every instruction's renders and the
  // professional prompts, each on its own cell.
  std::vector<std::pair<std::string, int>> wanted;
  for (const auto& [text, h] : state.history)
    if (text != kProfessionalKey)
      for (int c = 0; c < static_cast<int>(h.scores.size()); ++c) wanted.push_back({text, c});
  prepare(wanted);
  std::map<std::string, std::pair<std::string, double>> best;
  std::vector<ScoredRender> all;           // every paid render, for the evidence pairs
  std::vector<PhraseObservation> observed;  // the same renders, by cell
  auto offer = [&](int cell, const std::string& p, double score) {
    const std::string& q = cells_.at(cell).query;
    auto it = best.find(q);
    if (it == best.end() || score > it->second.second) best[q] = {p, score};
    if (s.budget.evidence > 0 || s.budget.children > 0) {
      all.push_back(ScoredRender{q, p, score, prompt_phrases(p)});
      observed.push_back(PhraseObservation{cell, all.back().phrases, score});
    }
  };
  for (const auto& [text, c] : wanted) offer(c, prompt(text, c), state.history.at(text).scores[c]);
  if (auto pro = state.history.find(kProfessionalKey); pro != state.history.end()) {
    std::size_t k = 0;
    for (int i = 0; i < cells_.pro_cells() && k < pro->second.scores.size(); ++i)
      for (const std::string& p : cells_.professional(i))
        if (k < pro->second.scores.size()) offer(i, p, pro->second.scores[k++]);
  }
  const std::map<std::string, double> effects =
      s.budget.evidence > 0 || s.budget.children > 0 ? fit_phrase_effects(observed, s.budget.ridge) : std::map<std::string, double>{};

  std::set<std::string> known;
  for (const auto& [id, r] : state.instructions) known.insert(r.text);
  const int si = training_sample_index(s, step);
  std::vector<std::pair<std::string, std::string>> children;  // (text, improvement)
  std::vector<std::string> born_from;
  for (std::size_t e = 0; e < parents.size(); ++e) {
    const std::string& text = state.instructions.at(parents[e]).text;
    const std::vector<double>& scores = state.history[text].scores;
    std::vector<std::pair<double, ContrastPair>> gaps;
    for (int c = 0; c < static_cast<int>(scores.size()); ++c) {
      const std::string& q = cells_.at(c).query;
      const auto& [top, top_score] = best.at(q);
      const std::string& mine = prompt(text, c);
      if (top != mine) gaps.push_back({top_score - scores[c], ContrastPair{q, mine, scores[c], top, top_score}});
    }
    // The widest gaps carry the clearest signal; ties keep cell order.
    std::stable_sort(gaps.begin(), gaps.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    // The first budget.evidence calls target well-rated phrases; the rest
    // (and any call left without a target) read the best prompts per query.
    std::vector<std::vector<ContrastPair>> targeted;
    if (s.budget.evidence > 0) {
      std::vector<ScoredRender> lows;
      for (int c = 0; c < static_cast<int>(scores.size()); ++c) {
        const std::string& mine = prompt(text, c);
        lows.push_back(ScoredRender{cells_.at(c).query, mine, scores[c], prompt_phrases(mine)});
      }
      targeted = evidence_pairs(lows, all, effects, std::min(s.budget.evidence, s.budget.gradients), s.budget.pairs);
    }
    for (int g = 0; g < s.budget.gradients; ++g) {
      const int base = si + kSampleStride * (static_cast<int>(e) * s.budget.gradients + g);
      std::vector<ContrastPair> pairs;
      if (g < static_cast<int>(targeted.size())) {
        pairs = targeted[static_cast<std::size_t>(g)];
      } else {
        // The gradient calculator credits the phrases of the widest-gap
        // winner most, so one set of pairs gives near-identical children
        // however often it is asked. The first such call sees the widest
        // gaps; each further call a random subset, so it reads other winners.
        const int k = g - static_cast<int>(targeted.size());
        std::vector<std::pair<double, ContrastPair>> chosen = gaps;
        if (k > 0) SeededRng(stream_key(s, "pairs|" + parents[e] + "|" + std::to_string(g), step)).shuffle(chosen);
        if (chosen.size() > static_cast<std::size_t>(s.budget.pairs)) chosen.resize(static_cast<std::size_t>(s.budget.pairs));
        for (auto& c : chosen) pairs.push_back(std::move(c.second));
      }
      rec.pairs += pairs.size();
      if (pairs.empty()) {
        for (const std::string& t : ctx_.modifier.fallback(text, base)) {
          children.push_back({t, "fallback"});
          born_from.push_back(parents[e]);
        }
        continue;
      }
      GradientCalculator::Output out = ctx_.gradient.compute(text, pairs, base);
      // The modifier sees the parent's Adds worst-rated first, so its cap
      // of six drops the worst instead of the oldest (add_order.h).
      const std::string fed = s.budget.order_adds ? adds_worst_first(text, effects) : text;
      rec.gradient_text += out.raw;
      rec.improvements.insert(rec.improvements.end(), out.improvements.begin(), out.improvements.end());
      std::vector<std::optional<std::string>> made = parallel_map<std::optional<std::string>>(
          out.improvements.size(), s.llm_concurrency(),
          [&](std::size_t k) { return ctx_.modifier.modify(out.improvements[k], fed, base + static_cast<int>(k)); });
      for (std::size_t k = 0; k < made.size(); ++k)
        if (made[k]) {
          children.push_back({*made[k], out.improvements[k]});
          born_from.push_back(parents[e]);
        }
    }
  }

  std::vector<std::size_t> fresh;  // distinct new children
  for (std::size_t k = 0; k < children.size(); ++k)
    if (!children[k].first.empty() && known.insert(children[k].first).second) fresh.push_back(k);
  if (s.budget.children > 0) fresh = screen(state, children, born_from, fresh, effects);
  std::vector<std::string> ids;
  for (std::size_t k : fresh) {
    const auto& [text, improvement] = children[k];
    InstructionRecord r{"i" + std::to_string(state.next_instruction++), text, born_from[k],
                        step, improvement};
    state.instructions[r.id] = r;
    ids.push_back(r.id);
    rec.children.push_back(r.id);
  }
  return ids;
}

// Of the distinct new children, only those whose predicted gain exceeds
// budget.min_gain, at most budget.children, best first, and always the
// best one. Each child costs budget.min_cells renders before the allocator
// can judge it, and most edits (advice, Avoid, an Add that pushes out good
// Adds) are worth nothing or less, so the free prediction screens them out.
// Returns indices into `children`, in birth order.
std::vector<std::size_t> BudgetLoop::screen(ExperimentState& state,
                                            const std::vector<std::pair<std::string, std::string>>& children,
                                            const std::vector<std::string>& born_from, std::vector<std::size_t> fresh,
                                            const std::map<std::string, double>& effects) {
  const ExperimentSettings& s = ctx_.settings;
  if (fresh.empty()) return fresh;
  auto cells_of = [&](std::size_t k) {
    const std::string& parent = state.instructions.at(born_from[k]).text;
    return std::min<int>(kScreenCells, static_cast<int>(state.history[parent].scores.size()));
  };
  // Generation is free but slow with a real LLM: write every prompt in one
  // parallel batch (the same prompts the renders will use later).
  std::vector<std::pair<std::string, int>> wanted;
  for (std::size_t k : fresh)
    for (int c = 0; c < cells_of(k); ++c) {
      wanted.push_back({children[k].first, c});
      wanted.push_back({state.instructions.at(born_from[k]).text, c});
    }
  prepare(wanted);
  std::vector<double> gain(children.size(), 0.0);
  for (std::size_t k : fresh) {
    const std::string& parent = state.instructions.at(born_from[k]).text;
    std::vector<std::vector<std::string>> mine, theirs;
    for (int c = 0; c < cells_of(k); ++c) {
      mine.push_back(prompt_phrases(prompt(children[k].first, c)));
      theirs.push_back(prompt_phrases(prompt(parent, c)));
    }
    gain[k] = predicted_gain(mine, theirs, effects);
  }
  std::stable_sort(fresh.begin(), fresh.end(), [&](std::size_t a, std::size_t b) { return gain[a] > gain[b]; });
  std::size_t n = 1;
  while (n < fresh.size() && n < static_cast<std::size_t>(s.budget.children) && gain[fresh[n]] > s.budget.min_gain) ++n;
  fresh.resize(n);
  std::sort(fresh.begin(), fresh.end());
  return fresh;
}

void BudgetLoop::run_iteration(ExperimentState& state) {
  const ExperimentSettings& s = ctx_.settings;
  const int step = state.next_iteration;
  const std::string tag = iteration_tag(step);
  seed_pool(state, s.initial_instruction);
  const IterationBoundary boundary(ctx_, step);

  IterationRecord rec;
  rec.iteration = step;
  render_professional(state);
  fault_point(tag + ":generated");

  // 1. The round: the allocator spends this step's renders and names the beam.
  // A lone arm (the first step) has nothing to be compared with: it only
  // needs the cells where the professional prompts were rendered, which are
  // the winners of its contrast pairs.
  long round = s.budget.round;
  if (state.pool.size() == 1) {
    const auto it = state.history.find(state.instructions.at(state.pool.front()).text);
    const long have = it == state.history.end() ? 0 : static_cast<long>(it->second.scores.size());
    round = std::min<long>(round, std::max<long>(std::max(s.budget.min_cells, cells_.pro_cells()) - have, 0));
  }
  RoundPanel panel(*this, state, state.pool, std::min<long>(round, budget_left(state)), rec);
  SeededRng select_rng(stream_key(s, "select", step));
  std::vector<std::size_t> kept = allocator_->run_round(panel, s.pool_size, select_rng);
  fault_point(tag + ":rendered");
  for (std::size_t a : kept) rec.selected.push_back(state.pool[a]);
  for (ArmRecord& arm : rec.arms)
    for (std::size_t a = 0; a < panel.size(); ++a)
      if (state.pool[a] == arm.id) arm.batch_score = panel.estimate(a);

  // 2. The final instruction: the survivor with the best lower bound, so a
  // child lucky on its first few cells does not displace a proven one.
  std::size_t final_arm = kept.front();
  auto lower = [&](std::size_t a) {
    return panel.estimate(a) - panel.residual_sd() / std::sqrt(std::max(1, panel.cells(a)));
  };
  for (std::size_t a : kept)
    if (panel.cells(a) > 0 && lower(a) > lower(final_arm)) final_arm = a;
  state.final_id = state.pool[final_arm];

  // 3. Expand the best survivors; the rest of the round's arms are retired.
  state.next_iteration = step + 1;
  state.finished = state.next_iteration >= s.iterations || budget_left(state) <= 0;
  std::vector<std::string> beam;
  for (std::size_t a : kept) beam.push_back(state.pool[a]);
  const std::vector<std::string> parents(beam.begin(),
                                         beam.begin() + std::min<std::ptrdiff_t>(s.budget.expand, beam.size()));
  std::vector<std::string> children =
      state.finished ? std::vector<std::string>{} : expand(state, parents, rec, step);
  std::vector<InstructionRecord> born;
  for (const std::string& id : children) born.push_back(state.instructions.at(id));
  std::vector<std::string> pool = beam;
  pool.insert(pool.end(), children.begin(), children.end());

  // 4. Commit the boundary.
  IterationSummary sum;
  sum.best = panel.estimate(final_arm);
  sum.best_id = state.final_id;
  double total = 0;
  for (std::size_t a = 0; a < panel.size(); ++a) total += panel.estimate(a);
  sum.mean = total / static_cast<double>(panel.size());
  sum.pool = static_cast<int>(panel.size());
  state.pool = pool;
  boundary.commit(state, sum, rec, born);
}

}  // namespace bigpe::engine
