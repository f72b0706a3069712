// Selector math against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "scheduler/selection/greedy_selector.h"
#include "scheduler/selection/ucb_paper_selector.h"
#include "scheduler/selection/ucb_selector.h"

namespace bigpe::engine {
namespace {

HistoryTable three_arms() {
  HistoryTable h;
  h["A"].scores = {26.0, 27.0};  // mean 26.5, n 2
  h["B"].scores = {27.0};        // mean 27.0, n 1
  h["C"].scores = {25.0, 25.0, 25.0, 25.0};  // mean 25.0, n 4
  return h;
}

std::vector<Candidate> candidates() { return {{"A", 26.9}, {"B", 26.0}, {"C", 27.5}}; }

TEST(UcbPaperSelector, FirstSlotOfFirstIterationIsPureExploitation) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  // t = 1, slot 0: ln(1) = 0, so the pick is the best mean (B, 27.0).
  std::vector<int> kept = UcbPaperSelector(0.8).select(candidates(), 1, 0, h, rng);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0], 1);
}

TEST(UcbPaperSelector, CountsEveryConsiderationNotOnlyPicks) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  // Iteration 1, keep 2: t = 1 + 1*2 = 3.
  // Slot 0 (ln 3 = 1.0986), all counters 1:
  //   A 26.5 + 0.8*1.0482 = 27.3385, B 27.0 + 0.8386 = 27.8386, C 25.8386 -> B.
  //   Counters after: A 2, B 2, C 2.
  // Slot 1 (ln 4 = 1.3863), counters 2: bonus 0.8*sqrt(0.6931) = 0.6660
  //   A 27.1660, C 25.6660 -> A. Counters after: A 3, C 3 (B stays 2).
  std::vector<int> kept = UcbPaperSelector(0.8).select(candidates(), 2, 1, h, rng);
  ASSERT_EQ(kept, (std::vector<int>{1, 0}));
  EXPECT_EQ(h["A"].considered, 3);
  EXPECT_EQ(h["B"].considered, 2);
  EXPECT_EQ(h["C"].considered, 3);
}

TEST(UcbPaperSelector, LargeCounterLetsExploitationWin) {
  HistoryTable h = three_arms();
  h["C"].scores = {28.0};
  h["B"].considered = 1;
  h["C"].considered = 100;  // C was considered often: its bonus is small
  SeededRng rng("test");
  // t = 1 + 2*1 = 3, slot 0: B 27.0 + 0.8*sqrt(1.0986/1) = 27.8385;
  // C 28.0 + 0.8*sqrt(1.0986/100) = 28.0839 -> C.
  std::vector<int> kept = UcbPaperSelector(0.8).select({{"B", 0}, {"C", 0}}, 1, 2, h, rng);
  EXPECT_EQ(kept, (std::vector<int>{1}));
  // With c = 3 the bonus of the rarely considered B wins: 27 + 3*1.0482 = 30.14 > 28 + 3*0.1048.
  h["C"].considered = 100;
  h["B"].considered = 1;
  kept = UcbPaperSelector(3.0).select({{"B", 0}, {"C", 0}}, 1, 2, h, rng);
  EXPECT_EQ(kept, (std::vector<int>{0}));
}

TEST(UcbSelector, CountsPullsAndUsesTotalPerQueryPulls) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  // N = 2 + 1 + 4 = 7, ln(8) = 2.0794.
  //   A: 26.5 + 0.8*sqrt(2.0794/2) = 26.5 + 0.8157 = 27.3157
  //   B: 27.0 + 0.8*sqrt(2.0794/1) = 27.0 + 1.1536 = 28.1536
  //   C: 25.0 + 0.8*sqrt(2.0794/4) = 25.0 + 0.5768 = 25.5768
  std::vector<int> kept = UcbSelector(0.8).select(candidates(), 2, 5, h, rng);
  EXPECT_EQ(kept, (std::vector<int>{1, 0}));
  // Nothing is counted on consideration.
  EXPECT_EQ(h["A"].considered, 1);
  // A large c favours the least-pulled arm even with a low mean: with c = 10,
  // A 26.5 + 10.197 = 36.70, B 27 + 14.42 = 41.42, C 25 + 7.21 = 32.21.
  kept = UcbSelector(10.0).select(candidates(), 3, 5, h, rng);
  EXPECT_EQ(kept, (std::vector<int>{1, 0, 2}));
}

TEST(GreedySelector, KeepsTopByThisIterationsBatchScore) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  std::vector<int> kept = GreedySelector().select(candidates(), 2, 0, h, rng);
  EXPECT_EQ(kept, (std::vector<int>{2, 0}));  // 27.5, 26.9
}

TEST(GreedySelector, KeepsAllWhenPoolIsSmall) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  EXPECT_EQ(GreedySelector().select(candidates(), 5, 0, h, rng).size(), 3u);
}

TEST(EpsGreedySelector, ZeroEpsilonIsGreedy) {
  HistoryTable h = three_arms();
  SeededRng rng("test");
  EXPECT_EQ(EpsGreedySelector(0.0).select(candidates(), 2, 0, h, rng), (std::vector<int>{2, 0}));
}

TEST(EpsGreedySelector, EpsilonOneIsUniformOverRemaining) {
  HistoryTable h = three_arms();
  // With epsilon 1 every slot is random: over many draws each arm is the
  // first pick about a third of the time, which greedy would never do.
  int first_pick[3] = {0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    SeededRng rng("eps|" + std::to_string(i));
    std::vector<int> kept = EpsGreedySelector(1.0).select(candidates(), 2, 0, h, rng);
    ASSERT_EQ(kept.size(), 2u);
    ASSERT_NE(kept[0], kept[1]);
    ++first_pick[kept[0]];
  }
  for (int c : first_pick) {
    EXPECT_GT(c, 850);
    EXPECT_LT(c, 1150);
  }
}

TEST(SelectorFactory, UnknownKindNamesIt) {
  try {
    make_selector({"thompson", 0.8, 0.1});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("thompson"), std::string::npos);
  }
}

}  // namespace
}  // namespace bigpe::engine
