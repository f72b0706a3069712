// Evidence pairs: each gradient call is built around one well-rated phrase
// the parent does not use, from pairs whose winner carries it.
#include <gtest/gtest.h>

#include "scheduler/engine/evidence_pairs.h"

namespace bigpe::engine {
namespace {

ScoredRender render(const std::string& q, const std::string& prompt, double score,
                    std::vector<std::string> phrases) {
  return ScoredRender{q, prompt, score, std::move(phrases)};
}

TEST(EvidencePairs, TargetsTheBestRatedPhrasesTheParentLacks) {
  // The parent uses "mine" on one cell of two (its coin dropped it on q2):
  // it is still the parent's phrase, not a target.
  const std::vector<ScoredRender> lows = {render("q1", "p q1", 1.0, {"mine"}), render("q2", "p q2", 1.0, {})};
  std::vector<ScoredRender> all = lows;
  all.push_back(render("q1", "w1", 2.0, {"star", "meh"}));
  all.push_back(render("q2", "w2", 3.0, {"star", "ok"}));
  all.push_back(render("q2", "w3", 4.0, {"ok"}));
  all.push_back(render("q2", "w4", 1.5, {"mine"}));
  all.push_back(render("q1", "loser", 0.5, {"best"}));  // lost to the parent: never a winner
  const std::map<std::string, double> effects = {
      {"star", 0.9}, {"ok", 0.4}, {"meh", -0.2}, {"mine", 2.0}, {"best", 5.0}};

  const auto calls = evidence_pairs(lows, all, effects, 5, 8);
  // "mine" is the parent's, "best" only on a loser, "meh" rated below 0.
  ASSERT_EQ(calls.size(), 2u);
  // Call 0 targets "star": both of its winners, one pair per parent cell.
  ASSERT_EQ(calls[0].size(), 2u);
  for (const ContrastPair& p : calls[0]) {
    EXPECT_EQ(p.low_prompt, "p " + p.query);
    EXPECT_TRUE(p.high_prompt == "w1" || p.high_prompt == "w2");
    EXPECT_GT(p.high_score, p.low_score);
  }
  // Call 1 targets "ok", only on q2: of its two winners there, w2's
  // exclusive phrases rate better on average (0.65 against 0.4), and one
  // pair per parent cell is kept.
  ASSERT_EQ(calls[1].size(), 1u);
  EXPECT_EQ(calls[1][0].high_prompt, "w2");
}

TEST(EvidencePairs, RespectsTheCallAndPairLimits) {
  std::vector<ScoredRender> lows, all;
  for (int c = 0; c < 6; ++c) {
    const std::string q = "q" + std::to_string(c);
    lows.push_back(render(q, "low " + q, 0.0, {}));
    all.push_back(lows.back());
    all.push_back(render(q, "high " + q, 1.0, {"a", "b", "c"}));
  }
  const auto calls = evidence_pairs(lows, all, {{"a", 1.0}, {"b", 0.5}, {"c", 0.2}}, 2, 4);
  ASSERT_EQ(calls.size(), 2u);
  for (const auto& pairs : calls) EXPECT_EQ(pairs.size(), 4u);
  EXPECT_TRUE(evidence_pairs(lows, all, {{"a", -1.0}}, 3, 4).empty());
}

}  // namespace
}  // namespace bigpe::engine
