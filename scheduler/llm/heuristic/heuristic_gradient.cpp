// The heuristic Gradient Calculator GC(I_low, pairs) of sim-v1 section 2: it
// reads the contrast pairs, credits each pair's score gap to the vocabulary
// phrases that only one side used, and writes at most four
// "Inference k / Improvement k" items (Add, Avoid, length, generic advice).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "backends/sim/sim_text.h"
#include "scheduler/llm/heuristic/heuristic_agents.h"

namespace bigpe::heuristic {

namespace {

constexpr double kAvoidProbability = 0.7;
constexpr double kGenericProbability = 0.35;
constexpr double kLengthRatio = 1.3;
constexpr double kKeepFactor = 1.2;
constexpr std::size_t kMaxItems = 4;

struct Item {
  std::string inference;
  std::string improvement;
};

// Advice in the style GPT-3.5 gave in the paper (section 4.1, Table 3).
const std::vector<Item> kGenericAdvice = {
    {"The low-score prompts lack depth and intrigue.",
     "Encourage creativity and originality by including unexpected elements."},
    {"The low-score prompts are either over-elaborate or too thin.",
     "Balance detail with concision so that every word of the prompt matters."},
    {"The low-score prompts do not convey a mood.",
     "Evoke a strong mood with evocative, emotional language."},
    {"The low-score prompts bury the subject under secondary content.",
     "Focus on the essential elements of the subject and state them precisely."},
    {"The low-score prompts read as flat descriptions.",
     "Include storytelling details that give the scene a sense of narrative."},
    {"The low-score prompts say little about how the image is made.",
     "Describe the lighting and the composition of the image explicitly."},
};

struct Side {
  std::string query;
  std::string prompt;
  double score = 0;
  bool seen = false;
};

struct Pair {
  Side low, high;
};

// "<tag>{i}: {query}<mid>{prompt}, score: {score}" -> (i, side).
bool read_side(const std::string& line, const std::string& tag, const std::string& mid,
               int* index, Side* side) {
  if (line.compare(0, tag.size(), tag) != 0) return false;
  std::size_t i = tag.size();
  std::size_t digits = i;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i == digits) return false;  // prose that mentions the tag
  if (line.compare(i, 2, ": ") != 0)
    throw LlmError("heuristic gradient: cannot read the number in '" + line.substr(0, i + 2) + "'");
  *index = std::atoi(line.substr(digits, i - digits).c_str());
  std::string rest = line.substr(i + 2);
  std::size_t m = rest.find(mid);
  if (m == std::string::npos)
    throw LlmError("heuristic gradient: line '" + tag + std::to_string(*index) + "' lacks '" + mid + "'");
  side->query = rest.substr(0, m);
  std::string tail = rest.substr(m + mid.size());
  const std::string score_tag = ", score: ";
  std::size_t s = tail.rfind(score_tag);
  if (s == std::string::npos)
    throw LlmError("heuristic gradient: line '" + tag + std::to_string(*index) + "' lacks '" +
                   score_tag + "'");
  side->prompt = tail.substr(0, s);
  std::string num = tail.substr(s + score_tag.size());
  while (!num.empty() && std::isspace(static_cast<unsigned char>(num.back()))) num.pop_back();
  char* end = nullptr;
  side->score = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(side->score))
    throw LlmError("heuristic gradient: line '" + tag + std::to_string(*index) +
                   "' has an unreadable score '" + num + "'");
  side->seen = true;
  return true;
}

std::vector<Pair> read_pairs(const std::string& user) {
  std::map<int, Pair> by_index;
  std::istringstream in(user);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    int k = 0;
    Side side;
    if (read_side(line, "low_score_object", ", low_score_generated_prompt: ", &k, &side))
      by_index[k].low = side;
    else if (read_side(line, "high_score_object", ", high_score_prompt: ", &k, &side))
      by_index[k].high = side;
  }
  std::vector<Pair> pairs;
  for (auto& [k, p] : by_index) {
    if (!p.low.seen)
      throw LlmError("heuristic gradient: high_score_object" + std::to_string(k) +
                     " has no low_score_object" + std::to_string(k));
    if (!p.high.seen)
      throw LlmError("heuristic gradient: low_score_object" + std::to_string(k) +
                     " has no high_score_object" + std::to_string(k));
    pairs.push_back(p);
  }
  return pairs;
}

// Phrases with positive credit, best first (ties by name, for determinism).
std::vector<std::string> ranked(const std::map<std::string, double>& credit) {
  std::vector<std::pair<std::string, double>> v;
  for (const auto& [p, c] : credit)
    if (c > 0) v.emplace_back(p, c);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.first);
  return out;
}

std::string quoted_list(const std::vector<std::string>& phrases) {
  std::string out;
  for (const std::string& p : phrases) out += (out.empty() ? "\"" : ", \"") + p + "\"";
  return out;
}

}  // namespace

std::string calculate_gradient(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                               const std::string& user, SeededRng& rng) {
  extract_block(user, "Instruction: ", "gradient");  // the format requires it
  const std::vector<Pair> pairs = read_pairs(user);

  std::map<std::string, double> add_credit, avoid_credit;
  double low_words = 0, high_words = 0;
  for (const Pair& p : pairs) {
    const double delta = p.high.score - p.low.score;
    const std::vector<std::string> lw = sim::words(p.low.prompt), hw = sim::words(p.high.prompt);
    low_words += static_cast<double>(lw.size());
    high_words += static_cast<double>(hw.size());
    const auto lm = vocab.match(lw).phrases, hm = vocab.match(hw).phrases;
    const std::set<std::string> ls(lm.begin(), lm.end()), hs(hm.begin(), hm.end());
    for (const std::string& ph : hs)
      if (!ls.count(ph)) add_credit[ph] += delta;
    for (const std::string& ph : ls)
      if (!hs.count(ph)) avoid_credit[ph] += delta;
  }

  // Draw every coin in a fixed order whatever the outcome, so one knob does
  // not shift the others' randomness.
  const int n_add = static_cast<int>(rng.between(2, 3));
  const bool add_written = rng.chance(opts.gc_specific);
  const bool avoid_wanted = rng.chance(kAvoidProbability);
  const int n_avoid = static_cast<int>(rng.between(1, 2));
  const bool avoid_written = rng.chance(opts.gc_specific);
  const bool length_written = rng.chance(opts.gc_specific);
  const bool generic_wanted = rng.chance(kGenericProbability);
  const Item& generic = rng.pick(kGenericAdvice);

  std::vector<Item> items;
  std::vector<std::string> adds = ranked(add_credit);
  if (!adds.empty() && add_written) {
    adds.resize(std::min<std::size_t>(adds.size(), static_cast<std::size_t>(n_add)));
    items.push_back({"The high-score prompts use modifiers that the low-score prompts lack: " +
                         quoted_list(adds) + ".",
                     "Add modifiers such as " + quoted_list(adds) + " to every prompt."});
  }
  std::vector<std::string> avoids = ranked(avoid_credit);
  if (!avoids.empty() && avoid_wanted && avoid_written) {
    avoids.resize(std::min<std::size_t>(avoids.size(), static_cast<std::size_t>(n_avoid)));
    items.push_back({"The low-score prompts use modifiers that the high-score prompts do not: " +
                         quoted_list(avoids) + ".",
                     "Avoid modifiers such as " + quoted_list(avoids) + "."});
  }
  if (!pairs.empty() && length_written) {
    const double n = static_cast<double>(pairs.size());
    const double low_mean = low_words / n, high_mean = high_words / n;
    if (low_mean > kLengthRatio * high_mean) {
      int keep = static_cast<int>(std::lround(kKeepFactor * high_mean / 5.0)) * 5;
      keep = std::max(keep, 5);
      items.push_back({"The low-score prompts are much longer than the high-score prompts.",
                       "Keep the prompt under " + std::to_string(keep) + " words."});
    } else if (low_mean * kLengthRatio < high_mean) {
      items.push_back({"The low-score prompts are much shorter than the high-score prompts.",
                       "Describe the scene in more vivid detail."});
    }
  }
  if (generic_wanted || items.empty()) items.push_back(generic);
  if (items.size() > kMaxItems) items.resize(kMaxItems);

  std::string out;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string n = std::to_string(k + 1);
    out += "Inference " + n + ": " + items[k].inference + "\n";
    out += "Improvement " + n + ": " + items[k].improvement + "\n";
  }
  return out;
}

}  // namespace bigpe::heuristic
