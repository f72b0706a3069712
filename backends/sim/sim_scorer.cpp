#include "backends/sim/sim_scorer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "backends/sim/sim_text.h"

namespace bigpe {
namespace {

// Beyond this many cached (taste, query) entries the cache starts over: a
// bound on memory when a long-lived worker sees unbounded distinct queries.
constexpr std::size_t kMaxCachedQueries = 1 << 16;

// The first part of every hash key: the sim score's streams, and the judge's
// own (docs/sim-v1.md sections 1 and 1.2).
const std::string kSimStream = "sim-v1";
const std::string kJudgeStream = "sim-judge-v1";

bool contains(const std::vector<std::string>& set, std::string_view s) {
  for (const auto& x : set)
    if (x == s) return true;
  return false;
}

}  // namespace

// Everything about a (stream, taste, query) that does not depend on the
// prompt. Keys below are written for stream "sim-v1".
struct SimScorer::QueryTerms {
  std::vector<std::string> content;  // C: distinct stems of non-stop query words
  double q_hz = 0;                   // hz("sim-v1|q|taste|xn")
  std::string ns_prefix;             // "sim-v1|ns|taste|xn|"
  std::string ny_prefix;             // "sim-v1|ny|taste|xn|"
  std::shared_ptr<const std::vector<double>> w_hz;  // hz("sim-v1|w|taste|m") per phrase id
  std::vector<double> wq_hz;         // hz("sim-v1|wq|taste|xn|m") per phrase id
};

SimScorer::SimScorer(std::shared_ptr<const sim::Vocabulary> vocab) : vocab_(std::move(vocab)) {
  if (!vocab_) throw std::invalid_argument("SimScorer: vocabulary is null");
  identity_ = "sim-v1;vocab=" + sim::vocabulary_hash(*vocab_);
}

std::shared_ptr<const std::vector<double>> SimScorer::global_weights(const std::string& stream,
                                                                     int64_t taste) const {
  const std::string key = stream + "|" + std::to_string(taste);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = global_.find(key);
    if (it != global_.end()) return it->second;
  }
  // Computed outside the lock; a concurrent duplicate computes the same values.
  auto w = std::make_shared<std::vector<double>>();
  const std::string prefix = stream + "|w|" + std::to_string(taste) + "|";
  w->reserve(vocab_->size());
  for (const auto& m : vocab_->phrases()) w->push_back(sim::hz(prefix + m));
  std::lock_guard<std::mutex> lock(mu_);
  return global_.emplace(key, std::move(w)).first->second;
}

std::shared_ptr<const SimScorer::QueryTerms> SimScorer::query_terms(const std::string& stream,
                                                                    const std::string& query,
                                                                    int64_t taste) const {
  const std::string key = stream + "|" + std::to_string(taste) + "|" + query;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto t = std::make_shared<QueryTerms>();
  const std::vector<std::string> qwords = sim::words(query);
  std::string xn;
  for (const auto& w : qwords) {
    if (!xn.empty()) xn.push_back(' ');
    xn += w;
    if (sim::is_stop_word(w)) continue;
    const std::string_view s = sim::stem_view(w);
    if (!contains(t->content, s)) t->content.emplace_back(s);
  }
  const std::string ts = std::to_string(taste);
  t->q_hz = sim::hz(stream + "|q|" + ts + "|" + xn);
  t->ns_prefix = stream + "|ns|" + ts + "|" + xn + "|";
  t->ny_prefix = stream + "|ny|" + ts + "|" + xn + "|";
  t->w_hz = global_weights(stream, taste);
  const std::string wq_prefix = stream + "|wq|" + ts + "|" + xn + "|";
  t->wq_hz.reserve(vocab_->size());
  for (const auto& m : vocab_->phrases()) t->wq_hz.push_back(sim::hz(wq_prefix + m));

  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCachedQueries) cache_.clear();
  return cache_.emplace(key, std::move(t)).first->second;
}

double SimScorer::compute(const std::string& prompt, const std::string& query, int64_t seed,
                          int64_t taste, const SimConstants& c, const JudgeMix* judge,
                          Breakdown* out) const {
  const auto qt = query_terms(kSimStream, query, taste);
  // The judge's own normals and noise; C and q stay the query's (section 1.2).
  const auto jt = judge ? query_terms(kJudgeStream, query, taste) : nullptr;
  // Per-thread scratch buffers: the optimizer benchmark calls this in a tight loop.
  thread_local std::vector<std::size_t> ids;
  thread_local std::vector<bool> covered;
  thread_local std::vector<double> positive;
  thread_local std::vector<char> found;
  thread_local std::vector<std::string> tokens;

  sim::words_into(prompt, &tokens);
  const std::size_t n = std::min(tokens.size(), static_cast<std::size_t>(std::max(c.MAXW, 0)));
  vocab_->match_indices(tokens, n, &ids, &covered);

  // F and E in one pass over the truncated tokens.
  const auto& content = qt->content;
  found.assign(content.size(), 0);
  double extra = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view s = sim::stem_view(tokens[i]);
    bool in_content = false;
    for (std::size_t k = 0; k < content.size(); ++k) {
      if (content[k] == s) {
        found[k] = 1;
        in_content = true;
      }
    }
    if (!in_content && !covered[i] && !sim::is_stop_word(tokens[i])) extra += 1;
  }
  double fidelity = 1.0;
  if (!content.empty()) {
    std::size_t hits = 0;
    for (char f : found) hits += f ? 1 : 0;
    fidelity = static_cast<double>(hits) / static_cast<double>(content.size());
  }

  // A: rank-discounted positives, undiscounted negatives.
  const double g = std::sqrt(1.0 - c.RHO * c.RHO);
  positive.clear();
  double negative = 0;
  for (std::size_t id : ids) {
    double hw = (*qt->w_hz)[id], hwq = qt->wq_hz[id];
    if (judge) {  // at rho = 1, own = 0 and these are hw and hwq bit for bit
      hw = judge->of(hw, (*jt->w_hz)[id]);
      hwq = judge->of(hwq, jt->wq_hz[id]);
    }
    const double w = c.MU + g * hw + c.RHO * hwq;
    if (w > 0)
      positive.push_back(w);
    else
      negative += w;
  }
  std::sort(positive.begin(), positive.end(), std::greater<double>());
  double pos_sum = 0, discount = 1;
  for (double w : positive) {
    pos_sum += discount * w;
    discount *= c.R;
  }
  const double aesthetic = c.S_POS * pos_sum + c.S_NEG * negative;

  const std::string seed_s = std::to_string(seed);
  const QueryTerms& nt = judge ? *jt : *qt;
  const double noise = std::sqrt(c.KAPPA) * sim::hz(nt.ns_prefix + seed_s) +
                       std::sqrt(1.0 - c.KAPPA) * sim::hz(nt.ny_prefix + prompt + "|" + seed_s);

  const double deterministic = c.B0 + c.QSD * qt->q_hz + c.D_FID * fidelity +
                               (c.LAM + (1.0 - c.LAM) * fidelity) * aesthetic -
                               c.BETA * std::max(0.0, extra - c.E0);
  const double score = deterministic + c.SD * noise;
  if (out) {
    out->fidelity = fidelity;
    out->aesthetic = aesthetic;
    out->extra_words = extra;
    out->query_offset = qt->q_hz;
    out->noise = noise;
    out->deterministic = deterministic;
    out->score = score;
    out->matched.clear();
    for (std::size_t id : ids) out->matched.push_back(vocab_->phrases()[id]);
  }
  return score;
}

SimScorer::Breakdown SimScorer::explain(const std::string& prompt, const std::string& query,
                                        int64_t seed, int64_t taste,
                                        const SimConstants& c) const {
  Breakdown b;
  compute(prompt, query, seed, taste, c, nullptr, &b);
  return b;
}

double SimScorer::score_prompt(const std::string& prompt, const std::string& query, int64_t seed,
                               int64_t taste, const SimConstants& c) const {
  return compute(prompt, query, seed, taste, c, nullptr, nullptr);
}

double SimScorer::weight(const std::string& phrase, const std::string& query, int64_t taste,
                         const SimConstants& c) const {
  return mixed_weight(phrase, query, taste, c, nullptr);
}

double SimScorer::mixed_weight(const std::string& phrase, const std::string& query,
                               int64_t taste, const SimConstants& c,
                               const JudgeMix* judge) const {
  const std::string m = sim::normalize_phrase(phrase);
  const std::string xn = sim::normalize_phrase(query);
  const std::string ts = std::to_string(taste);
  auto normals = [&](const std::string& stream) {
    return std::pair<double, double>(sim::hz(stream + "|w|" + ts + "|" + m),
                                     sim::hz(stream + "|wq|" + ts + "|" + xn + "|" + m));
  };
  auto [hw, hwq] = normals(kSimStream);
  if (judge) {  // as in compute()
    const auto [jw, jwq] = normals(kJudgeStream);
    hw = judge->of(hw, jw);
    hwq = judge->of(hwq, jwq);
  }
  return c.MU + std::sqrt(1.0 - c.RHO * c.RHO) * hw + c.RHO * hwq;
}

std::vector<double> SimScorer::score(const std::vector<Image>& images,
                                     const std::vector<std::string>& texts,
                                     const schemas::RenderParams& params) {
  if (images.size() != texts.size())
    throw std::runtime_error("sim scorer: " + std::to_string(images.size()) + " images but " +
                             std::to_string(texts.size()) + " texts");
  int64_t taste = 0;
  SimConstants c;
  try {
    taste = sim_taste_seed(params.options);
    c = SimConstants::from_options(params.options);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("sim scorer: ") + e.what());
  }
  std::vector<double> out;
  out.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i)
    out.push_back(score_prompt(images[i].prompt, texts[i], images[i].seed, taste, c));
  return out;
}

std::vector<std::string> SimScorer::option_names() const {
  std::vector<std::string> out{"sim.taste_seed"};
  for (std::string& n : SimConstants::option_names()) out.push_back(std::move(n));
  return out;
}

int64_t sim_taste_seed(const std::map<std::string, std::string>& options) {
  auto it = options.find("sim.taste_seed");
  if (it == options.end()) return 0;
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE)
    throw std::invalid_argument("option sim.taste_seed = \"" + v + "\": not an integer");
  return static_cast<int64_t>(x);
}

}  // namespace bigpe
