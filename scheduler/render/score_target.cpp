#include "scheduler/render/score_target.h"

#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

#include "common/text_util.h"

namespace bigpe::engine {
namespace {

// A scorer name is a file-name token (judges' tables go to judges/<name>/).
void check_name(const std::string& text, const std::string& name) {
  bool ok = !name.empty() && name.front() != '.';
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!ok)
    throw std::invalid_argument("'" + text + "': scorer name '" + name +
                                "' may hold only letters, digits, '-', '_' and '.', not first");
}

// Names of a comma list: none empty, none twice.
std::vector<std::string> names_of(const std::string& text, const char* what) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (std::string& n : split_commas(text)) {
    if (n.empty()) throw std::invalid_argument("'" + text + "': an empty " + what + " name");
    check_name(text, n);
    if (!seen.insert(n).second) throw std::invalid_argument("'" + text + "': '" + n + "' is named twice");
    names.push_back(std::move(n));
  }
  return names;
}

}  // namespace

std::vector<std::string> scorer_list(const std::string& list, const std::string& backend) {
  // The default of worker/backend_factory.cpp: the backend's own scorer.
  if (trim(list).empty()) return {backend == "torchscript-sd" ? "hpsv2" : "sim"};
  return names_of(list, "scorer");
}

std::string optimized_score_label(const std::string& optimize, const std::string& scorers,
                                  const std::string& backend) {
  if (!trim(optimize).empty()) return trim(optimize);
  return scorer_list(scorers, backend).front();
}

ScoreTarget parse_score_target(const std::string& text) {
  ScoreTarget target;
  if (trim(text).empty()) return target;
  std::set<std::string> seen;
  for (const std::string& part : split_commas(text)) {
    ScoreTerm term;
    const std::size_t colon = part.find(':');
    term.scorer = trim(part.substr(0, colon));
    if (term.scorer.empty()) throw std::invalid_argument("'" + text + "': a term without a scorer name");
    check_name(text, term.scorer);
    if (colon != std::string::npos) {
      const std::string w = trim(part.substr(colon + 1));
      std::size_t used = 0;
      try {
        term.weight = std::stod(w, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (w.empty() || used != w.size() || !std::isfinite(term.weight) || term.weight <= 0)
        throw std::invalid_argument("'" + text + "': the weight of '" + term.scorer + "' must be a number above 0, got '" +
                                    w + "' (syntax: name or name:weight,name:weight)");
    }
    if (!seen.insert(term.scorer).second)
      throw std::invalid_argument("'" + text + "': '" + term.scorer + "' is named twice");
    target.terms.push_back(std::move(term));
  }
  return target;
}

std::vector<std::string> parse_judges(const std::string& text) {
  if (trim(text).empty()) return {};
  return names_of(text, "judge");
}

std::optional<double> ScoreTarget::value(const schemas::ScoreMap& scores) const {
  double sum = 0.0;
  for (const ScoreTerm& t : terms) {
    auto it = scores.find(t.scorer);
    if (it == scores.end()) return std::nullopt;
    sum += t.weight * it->second;
  }
  return sum;
}

std::string ScoreTarget::missing(const schemas::ScoreMap& scores) const {
  for (const ScoreTerm& t : terms)
    if (!scores.count(t.scorer)) return t.scorer;
  return "";
}

schemas::ScoreMap scores_of(double score, const schemas::ScoreMap& scores, const std::string& first_scorer) {
  if (!scores.empty()) return scores;
  return {{first_scorer, score}};
}

}  // namespace bigpe::engine
