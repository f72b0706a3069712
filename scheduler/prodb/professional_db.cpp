#include "scheduler/prodb/professional_db.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/seeded_rng.h"
#include "backends/sim/sim_text.h"

namespace bigpe {
namespace {

// Lowercase, whitespace collapsed and trimmed: "A  Cactus " matches "a cactus".
std::string query_key(const std::string& query) {
  std::string out;
  bool space = false;
  for (unsigned char c : query) {
    if (std::isspace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open professional prompt file");
  return in;
}

bool is_blank(const std::string& line) {
  for (unsigned char c : line)
    if (!std::isspace(c)) return false;
  return true;
}

const std::string& string_field(const nlohmann::ordered_json& row, const char* key,
                                const std::string& where) {
  auto v = row.find(key);
  if (v == row.end()) throw std::runtime_error(where + ": missing field '" + key + "'");
  if (!v->is_string())
    throw std::runtime_error(where + ": field '" + key + "' must be a string, got " + json::type_name(*v));
  const std::string& text = v->get_ref<const std::string&>();
  if (is_blank(text)) throw std::runtime_error(where + ": field '" + key + "' is empty");
  return text;
}

// Plain descriptive words for the synthetic prompts: the prose a
// professional prompt carries besides its style phrases. Any that the
// vocabulary knows are skipped, so they never count as modifiers.
const std::vector<std::string>& prose_words() {
  static const std::vector<std::string> kWords = {
      "quiet",  "morning", "distant", "towering", "weathered", "golden", "misty",
      "lonely", "vast",    "tiny",    "old",      "shadowy",   "calm",   "wild",
      "faded",  "gentle",  "stormy",  "early",    "evening",   "hidden", "silent"};
  return kWords;
}

const std::vector<std::string>& drift_words() {
  static const std::vector<std::string> kWords = {"scene", "view", "place"};
  return kWords;
}

// One synthetic professional prompt for `query` (docs/sim-v1.md §3).
std::string synthetic_prompt(const std::string& query, const std::vector<std::string>& prose,
                             const sim::Vocabulary& vocab, SeededRng& rng) {
  std::vector<std::string> tokens;
  std::vector<std::size_t> content;
  for (std::size_t start = 0, end; start < query.size(); start = end + 1) {
    end = query.find(' ', start);
    if (end == std::string::npos) end = query.size();
    if (end == start) continue;
    tokens.push_back(query.substr(start, end - start));
    const auto w = sim::words(tokens.back());
    if (!w.empty() && !sim::is_stop_word(w.front())) content.push_back(tokens.size() - 1);
  }
  // Lexica-style subject drift: the subject is renamed and partly lost.
  if (!content.empty() && rng.chance(0.2)) {
    const std::size_t keep = content[static_cast<std::size_t>(rng.below(static_cast<int64_t>(content.size())))];
    tokens[keep] = rng.pick(drift_words());
    std::vector<std::string> drifted;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const bool other_content =
          i != keep && std::find(content.begin(), content.end(), i) != content.end();
      if (!(other_content && rng.chance(0.5))) drifted.push_back(tokens[i]);
    }
    tokens = std::move(drifted);
  }
  for (const auto& w : rng.sample(prose, static_cast<std::size_t>(rng.between(0, 6))))
    tokens.push_back(w);
  std::string prompt;
  for (const auto& t : tokens) prompt += (prompt.empty() ? "" : " ") + t;
  for (const auto& phrase :
       rng.sample(vocab.phrases(), static_cast<std::size_t>(rng.between(3, 8))))
    prompt += ", " + phrase;
  return prompt;
}

}  // namespace

ProfessionalDb ProfessionalDb::load_jsonl(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  ProfessionalDb db;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (is_blank(line)) continue;
    const std::string where = path + ":" + std::to_string(number);
    nlohmann::ordered_json row;
    try {
      row = json::parse_strict(line);
    } catch (const json::JsonError& e) {
      throw std::runtime_error(where + ": " + e.what());
    }
    if (!row.is_object())
      throw std::runtime_error(where + ": expected a JSON object, got " + json::type_name(row));
    db.add(string_field(row, "query", where), string_field(row, "prompt", where));
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  db.build_index();
  return db;
}

ProfessionalDb ProfessionalDb::load_text(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  ProfessionalDb db;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!is_blank(line)) db.add("", line);
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  db.build_index();
  return db;
}

ProfessionalDb ProfessionalDb::synthetic(const std::vector<std::string>& queries,
                                         const sim::Vocabulary& vocab, uint64_t seed) {
  if (vocab.size() < 8)
    throw std::invalid_argument("ProfessionalDb::synthetic: the vocabulary has " +
                                std::to_string(vocab.size()) +
                                " phrases; at least 8 are needed");
  std::vector<std::string> prose;
  for (const auto& w : prose_words())
    if (!vocab.contains(w)) prose.push_back(w);
  ProfessionalDb db;
  for (const auto& query : queries) {
    SeededRng rng("prodb|" + std::to_string(seed) + "|" + query);
    for (std::size_t i = 0; i < kSyntheticPerQuery; ++i)
      db.add(query, synthetic_prompt(query, prose, vocab, rng));
  }
  db.build_index();
  return db;
}

std::vector<std::string> ProfessionalDb::exemplars(const std::string& query,
                                                   std::size_t k) const {
  const auto& own = rows_for(query);
  if (!own.empty())
    return std::vector<std::string>(own.begin(), own.begin() + std::min(k, own.size()));
  std::vector<std::string> out;
  for (std::size_t doc : index_.top_k(query, k)) out.push_back(prompts_[doc]);
  return out;
}

const std::vector<std::string>& ProfessionalDb::rows_for(const std::string& query) const {
  static const std::vector<std::string> kNone;
  const auto it = by_query_.find(query_key(query));
  return it == by_query_.end() ? kNone : it->second;
}

void ProfessionalDb::add(const std::string& query, const std::string& prompt) {
  prompts_.push_back(prompt);
  if (!query.empty()) by_query_[query_key(query)].push_back(prompt);
}

void ProfessionalDb::build_index() { index_ = Bm25Index(prompts_); }

}  // namespace bigpe
