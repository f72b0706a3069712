// The budget loop shows the modifier a parent's Adds worst-rated first, so
// the modifier's cap of six drops the worst one instead of the oldest.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/seeded_rng.h"
#include "scheduler/engine/add_order.h"
#include "scheduler/llm/heuristic/heuristic_agents.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "scheduler/llm/heuristic/instruction_directives.h"

namespace bigpe::engine {
namespace {

TEST(AddsWorstFirst, SortsAddsByEffectLowestFirstAndKeepsTheRest) {
  const std::string parent = "Write a vivid prompt.\nAdd: Highly Detailed; bad one; unknown; ok\nAvoid: blurry\nKeep under 30 words";
  const std::map<std::string, double> effects = {{"highly detailed", 0.9}, {"bad one", -0.4}, {"ok", 0.2}};
  const Directives d = parse_directives(adds_worst_first(parent, effects));
  // "unknown" has no evidence and counts 0.
  EXPECT_EQ(d.add, (std::vector<std::string>{"bad one", "unknown", "ok", "Highly Detailed"}));
  EXPECT_EQ(d.avoid, (std::vector<std::string>{"blurry"}));
  ASSERT_TRUE(d.keep_under.has_value());
  EXPECT_EQ(*d.keep_under, 30);
  EXPECT_EQ(d.free_text, "Write a vivid prompt.");
}

TEST(AddsWorstFirst, LeavesTheTextAloneWhenNothingMoves) {
  const std::string sorted = "Base.\nAdd: a; b";
  EXPECT_EQ(adds_worst_first(sorted, {{"a", -1.0}, {"b", 1.0}}), sorted);
  EXPECT_EQ(adds_worst_first(sorted, {}), sorted);  // equal effects keep their order
  EXPECT_EQ(adds_worst_first("No directives at all.", {{"a", 1.0}}), "No directives at all.");
}

TEST(AddsWorstFirst, MakesTheModifiersCapDropTheWorstAddInsteadOfTheOldest) {
  // The oldest Add, "best", is the best rated; fed as is, the cap of six
  // would drop it for the new Add.
  const std::string parent = "Base.\nAdd: best; a2; a3; worst; a5; a6";
  const std::map<std::string, double> effects = {{"best", 1.0}, {"worst", -0.5}, {"a2", 0.1},
                                                 {"a3", 0.1}, {"a5", 0.1}, {"a6", 0.1}};
  HeuristicOptions exact;
  exact.modifier_drop = 0.0;  // no lossy drop: only the cap removes an Add
  auto modify = [&](const std::string& fed) {
    SeededRng rng("add-order-test");
    return parse_directives(heuristic::modify_instruction(
        exact, "Improvement suggestion: <<<Add modifiers such as \"new\" to every prompt.>>>\nCurrent instruction: <<<" +
                   fed + ">>>\nOutput only the new general instruction.",
        rng)).add;
  };
  const std::vector<std::string> plain = modify(parent);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "best"), 0);
  const std::vector<std::string> ordered = modify(adds_worst_first(parent, effects));
  ASSERT_EQ(ordered.size(), 6u);
  EXPECT_EQ(std::count(ordered.begin(), ordered.end(), "best"), 1);
  EXPECT_EQ(std::count(ordered.begin(), ordered.end(), "worst"), 0);
  EXPECT_EQ(ordered.back(), "new");
}

}  // namespace
}  // namespace bigpe::engine
