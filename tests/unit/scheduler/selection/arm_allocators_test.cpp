// The budget loop's allocators against a panel whose arms score their true
// mean exactly: where each rule puts the renders, and what it keeps.
#include <gtest/gtest.h>

#include <numeric>

#include "scheduler/selection/arm_allocator.h"
#include "scheduler/stats/paired_fit.h"

namespace bigpe::engine {
namespace {

class FakePanel : public ArmPanel {
 public:
  FakePanel(std::vector<double> truth, std::vector<int> cells, long budget)
      : truth_(std::move(truth)), cells_(std::move(cells)), left_(budget) {}
  std::size_t size() const override { return truth_.size(); }
  int cells(std::size_t a) const override { return cells_[a]; }
  double estimate(std::size_t a) const override { return truth_[a]; }
  long budget_left() const override { return left_; }
  void pull(const std::vector<std::pair<std::size_t, int>>& requests) override {
    ++pulls_;
    for (const auto& [arm, count] : requests) {
      const int n = static_cast<int>(std::min<long>(count, left_));
      cells_[arm] += n;
      left_ -= n;
    }
  }
  int pulls_ = 0;

 private:
  std::vector<double> truth_;
  std::vector<int> cells_;
  long left_;
};

AllocatorSettings kind(const std::string& k) {
  AllocatorSettings s;
  s.kind = k;
  s.c = 0.8;
  s.epsilon = 0.1;
  s.min_cells = 3;
  s.chunk = 2;
  return s;
}

int total(const FakePanel& p) {
  int n = 0;
  for (std::size_t a = 0; a < p.size(); ++a) n += p.cells(a);
  return n;
}

TEST(ArmAllocators, EveryRuleSpendsExactlyTheRoundBudgetAndKeepsTheBestFirst) {
  for (const char* k : {"ucb", "greedy", "eps-greedy", "successive-halving", "successive-rejects"}) {
    FakePanel p({26.0, 27.5, 26.5, 27.0, 25.0}, {10, 0, 0, 0, 0}, 37);
    SeededRng rng("t");
    std::vector<std::size_t> kept = make_allocator(kind(k))->run_round(p, 2, rng);
    EXPECT_EQ(p.budget_left(), 0) << k;
    EXPECT_EQ(total(p), 47) << k;
    ASSERT_EQ(kept.size(), 2u) << k;
    EXPECT_EQ(kept[0], 1u) << k;
  }
}

TEST(ArmAllocators, EliminationRulesRaiseNewArmsBeforeTheIncumbent) {
  for (const char* k : {"successive-halving", "successive-rejects"}) {
    FakePanel p({27.0, 26.0, 26.5, 26.2}, {40, 0, 0, 0}, 24);
    SeededRng rng("t");
    make_allocator(kind(k))->run_round(p, 1, rng);
    EXPECT_EQ(p.cells(0), 40) << k << ": the incumbent is not re-rendered to be compared";
    EXPECT_GT(p.cells(1), 0) << k;
  }
}

TEST(ArmAllocators, SuccessiveHalvingGivesTheSurvivingHalfMoreCells) {
  // 8 new arms, keep 1: three phases; the best arm survives all of them.
  FakePanel p({1, 2, 3, 4, 5, 6, 7, 8}, std::vector<int>(8, 0), 48);
  SeededRng rng("t");
  std::vector<std::size_t> kept = make_allocator(kind("successive-halving"))->run_round(p, 1, rng);
  EXPECT_EQ(kept, (std::vector<std::size_t>{7}));
  EXPECT_EQ(p.budget_left(), 0);
  EXPECT_GT(p.cells(7), p.cells(4));  // survived three phases vs two
  EXPECT_GT(p.cells(4), p.cells(0));  // two vs one
}

TEST(ArmAllocators, GreedyConcentratesWhereUcbExplores) {
  std::vector<double> truth = {27.0, 26.9, 26.0};
  FakePanel greedy(truth, {0, 0, 0}, 60), ucb(truth, {0, 0, 0}, 60);
  SeededRng r1("t"), r2("t");
  make_allocator(kind("greedy"))->run_round(greedy, 1, r1);
  AllocatorSettings u = kind("ucb");
  u.c = 0.8;
  make_allocator(u)->run_round(ucb, 1, r2);
  EXPECT_EQ(greedy.cells(1), 3) << "greedy never returns to an arm once behind";
  EXPECT_GT(ucb.cells(1), 3) << "ucb's bonus brings the close second back";
  EXPECT_EQ(greedy.cells(2), 3);
}

TEST(ArmAllocators, UnknownOrPruneOnlyKindsAreRefused) {
  EXPECT_THROW(make_allocator(kind("ucb-paper")), std::invalid_argument);
  EXPECT_THROW(make_allocator(kind("nope")), std::invalid_argument);
}

TEST(PairedFit, RemovesSharedCellEffectsFromArmsWithDifferentCells) {
  // Arm a scores mu_a + gamma_c exactly; cells differ wildly. Arm 1 has
  // only the first two (hard) cells, so a raw mean would rank it last.
  const std::vector<double> gamma = {-3.0, -2.0, 4.0, 5.0};
  std::vector<double> a0, a1;
  for (int c = 0; c < 4; ++c) a0.push_back(26.0 + gamma[c]);
  for (int c = 0; c < 2; ++c) a1.push_back(26.5 + gamma[c]);
  PairedFit f = fit_paired({&a0, &a1}, 0.0, 200);
  EXPECT_NEAR(f.means[1] - f.means[0], 0.5, 1e-6);
  EXPECT_NEAR(f.residual_sd, 0.0, 1e-6);
}

}  // namespace
}  // namespace bigpe::engine
