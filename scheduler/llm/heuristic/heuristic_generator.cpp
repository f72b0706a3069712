// The heuristic Generator G(I, X) of sim-v1 section 2: X, prose filler,
// then ", " + Add phrases (each kept with p = 0.9) + random vocabulary
// modifiers, trimmed to "Keep under N words", with occasional subject drift
// and a "Refined Prompt:" / "Enhanced Prompt:" prefix.
//
// Common random numbers: every draw comes from a sub-stream named by
// (seed, query, sample_index, purpose), never by the instruction, so two
// instructions on the same query and sample differ only where their
// directives make them differ.
#include <algorithm>
#include <cstdint>
#include <set>
#include <sstream>
#include <vector>

#include "backends/sim/sim_text.h"
#include "common/text_util.h"
#include "scheduler/llm/heuristic/heuristic_agents.h"
#include "scheduler/llm/heuristic/instruction_directives.h"

namespace bigpe::heuristic {

namespace {

// Fixed prose: neutral words chosen to match no modifier phrase of the
// vocabulary, so the filler costs extra words but carries no style.
constexpr const char* kFillerProse =
    "standing in the middle of a quiet open place under a wide pale sky with a gentle "
    "breeze moving across the ground while small birds circle overhead and the whole "
    "setting feels settled and inviting from every angle as people pass by slowly on "
    "their way home";

constexpr int kFillerBase = 16;
constexpr int kFillerSpread = 3;
constexpr int kFillerPerDetail = 5;
constexpr int kFillerPerConcise = 6;
constexpr int kFillerFloor = 2;
constexpr int kKeywordCap = 3;
constexpr int kModifiersBase = 3;
constexpr double kAddKeep = 0.9;
constexpr double kDriftBase = 0.04;
constexpr double kDriftPerCreative = 0.03;
constexpr double kPrefixProbability = 0.25;

// Keyword families, matched as word prefixes ("vivid" matches "vividly").
const std::vector<std::string> kDetailWords = {
    "detail", "vivid", "rich", "evocative", "evoke", "storytell", "immersive", "elaborate",
    "descripti", "intricate", "lush"};
const std::vector<std::string> kConciseWords = {
    "concis", "brief", "brevity", "essential", "precis", "succinct", "short", "minimal"};
const std::vector<std::string> kCreativeWords = {
    "creativ", "original", "unexpected", "divers", "imaginati", "unique", "novel",
    "surpris", "inventive", "varied", "variation"};

// Words after which "original" means "the given one", not "novel" (I0 says
// "the original prompt"); an LLM would not read that as a call for novelty.
const std::set<std::string> kOriginalNouns = {"prompt", "text", "query", "subject", "input"};

bool has_prefix(const std::string& w, const std::string& p) { return w.compare(0, p.size(), p) == 0; }

int count_keywords(const std::vector<std::string>& tokens, const std::vector<std::string>& family) {
  int n = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& w = tokens[i];
    bool hit = std::any_of(family.begin(), family.end(), [&](const std::string& p) { return has_prefix(w, p); });
    if (hit && w == "original" && i + 1 < tokens.size() && kOriginalNouns.count(tokens[i + 1])) hit = false;
    if (hit) ++n;
  }
  return std::min(n, kKeywordCap);
}

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string t;
  while (in >> t) out.push_back(t);
  return out;
}

// Replaces one content word of the query by a vague noun (sim-v1's drift).
std::string drift_subject(const std::string& query, SeededRng& rng) {
  static const std::vector<std::string> kVague = {"scene", "view", "vision", "place"};
  std::vector<std::string> parts = split_ws(query);
  std::vector<std::size_t> content;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::vector<std::string> ws = sim::words(parts[i]);
    if (ws.size() == 1 && !sim::is_stop_word(ws[0])) content.push_back(i);
  }
  if (content.empty()) return query;
  std::size_t which = static_cast<std::size_t>(rng.below(static_cast<int64_t>(content.size())));
  parts[content[which]] = rng.pick(kVague);
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::size_t word_count(const std::string& s) { return sim::words(s).size(); }

}  // namespace

std::string generate(const sim::Vocabulary& vocab, const HeuristicOptions& opts,
                     const std::string& user, int sample_index) {
  std::size_t at = user.rfind(kQuerySeparator);
  if (at == std::string::npos)
    throw LlmError(std::string("heuristic generator: the user message lacks '") + kQuerySeparator +
                   "' between the instruction and the query");
  const std::string instruction = user.substr(0, at);
  const std::string query = trim(user.substr(at + std::string(kQuerySeparator).size()));
  if (query.empty()) throw LlmError("heuristic generator: the query after the separator is empty");

  const Directives d = parse_directives(instruction);
  const std::vector<std::string> free_words = sim::words(d.free_text);
  const int detail = count_keywords(free_words, kDetailWords);
  const int concise = count_keywords(free_words, kConciseWords);
  const int creative = count_keywords(free_words, kCreativeWords);

  const std::string stream = "heuristic-v1|generator|" + std::to_string(opts.seed) + "|" + query +
                             "|" + std::to_string(sample_index);
  auto sub = [&](const std::string& purpose) { return SeededRng(stream + "|" + purpose); };

  // Filler length: 16 +- 3, adjusted by the instruction's keywords.
  SeededRng filler_rng = sub("filler");
  int filler_len = kFillerBase + static_cast<int>(filler_rng.between(-kFillerSpread, kFillerSpread)) +
                   kFillerPerDetail * detail - kFillerPerConcise * concise;
  filler_len = std::max(filler_len, kFillerFloor);
  const std::vector<std::string> prose = split_ws(kFillerProse);
  std::vector<std::string> filler;
  for (int i = 0; i < filler_len; ++i) filler.push_back(prose[static_cast<std::size_t>(i) % prose.size()]);

  // Add phrases: one coin per phrase, keyed by the phrase, so the same
  // phrase is kept or dropped alike under every instruction.
  std::set<std::string> excluded;
  std::vector<std::string> adds;
  for (const std::string& p : d.add) {
    std::string norm = sim::normalize_phrase(p);
    if (norm.empty() || excluded.count(norm)) continue;
    excluded.insert(norm);
    if (sub("add|" + norm).chance(kAddKeep)) adds.push_back(p);
  }
  for (const std::string& p : d.avoid) excluded.insert(sim::normalize_phrase(p));

  // Random modifiers: 3 + creative + {-1, 0, 0, +1}, drawn from one
  // candidate sequence so instructions share their first picks.
  SeededRng count_rng = sub("modifier-count");
  static const int kJitter[4] = {-1, 0, 0, 1};
  int n_mods = std::max(0, kModifiersBase + creative + kJitter[count_rng.below(4)]);
  std::vector<std::string> mods;
  SeededRng pick_rng = sub("modifiers");
  const auto& phrases = vocab.phrases();
  std::set<std::string> chosen;
  std::size_t usable = 0;
  for (const std::string& p : phrases) usable += excluded.count(p) ? 0 : 1;
  // Drawing with rejection keeps the candidate sequence instruction-free.
  while (static_cast<int>(mods.size()) < n_mods && chosen.size() < usable) {
    const std::string& p = phrases[static_cast<std::size_t>(pick_rng.below(static_cast<int64_t>(phrases.size())))];
    if (excluded.count(p) || chosen.count(p)) continue;
    chosen.insert(p);
    mods.push_back(p);
  }

  // Subject drift.
  SeededRng drift_rng = sub("drift");
  std::string subject = query;
  if (drift_rng.chance(kDriftBase + kDriftPerCreative * creative)) subject = drift_subject(query, drift_rng);

  // Keep under N words: trim filler, then random modifiers, then Adds.
  if (d.keep_under) {
    const std::size_t limit = static_cast<std::size_t>(*d.keep_under);
    auto total = [&] {
      std::size_t n = word_count(subject) + filler.size();
      for (const auto& p : adds) n += word_count(p);
      for (const auto& p : mods) n += word_count(p);
      return n;
    };
    while (total() > limit) {
      if (!filler.empty()) filler.pop_back();
      else if (!mods.empty()) mods.pop_back();
      else if (!adds.empty()) adds.pop_back();
      else break;
    }
  }

  std::string out = subject;
  for (const std::string& w : filler) out += " " + w;
  for (const auto* list : {&adds, &mods})
    for (const std::string& p : *list) out += ", " + p;

  SeededRng prefix_rng = sub("prefix");
  if (prefix_rng.chance(kPrefixProbability))
    out = (prefix_rng.chance(0.5) ? "Refined Prompt: " : "Enhanced Prompt: ") + out;
  return out;
}

}  // namespace bigpe::heuristic
