// The experiment state's LLM counters (experiment_state.h): per agent and in
// all, they survive the encoding a resume reads back, add up, and a state
// written before they existed decodes with zeros.
#include <gtest/gtest.h>

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"
#include "scheduler/experiment/experiment_state.h"

namespace bigpe::engine {
namespace {

TEST(ExperimentState, LlmCountersPerAgentAddUpAndSurviveTheEncoding) {
  ExperimentState s;
  add_llm(s, {{"generator", AgentTally{10, 1, 0, 2, 4, 300, 40}}, {"gradient", AgentTally{3, 0, 1, 0, 0, 90, 12}}});
  add_llm(s, {{"generator", AgentTally{5, 0, 0, 0, 5, 0, 0}}});
  EXPECT_EQ(s.llm.calls, 18);
  EXPECT_EQ(s.llm.cached, 9);
  EXPECT_EQ(s.llm.prompt_tokens, 390);
  EXPECT_EQ(s.llm_agents.at("generator").calls, 15);

  const ExperimentState back = decode_state(encode_state(s));
  for (const ExperimentState* x : {static_cast<const ExperimentState*>(&s), &back}) {
    EXPECT_EQ(x->llm.calls, 18);
    EXPECT_EQ(x->llm.retries, 1);
    EXPECT_EQ(x->llm.unusable, 1);
    EXPECT_EQ(x->llm.subject_dropped, 2);
    EXPECT_EQ(x->llm.cached, 9);
    EXPECT_EQ(x->llm.prompt_tokens, 390);
    EXPECT_EQ(x->llm.completion_tokens, 52);
    ASSERT_EQ(x->llm_agents.size(), 2u);
    EXPECT_EQ(x->llm_agents.at("gradient").completion_tokens, 12);
    EXPECT_EQ(x->llm_agents.at("generator").cached, 9);
  }
}

TEST(ExperimentState, AStateFromBeforeTheTokenCountersDecodesWithZeros) {
  const std::string old = schemas::write_body(6, [](schemas::MapWriter& w) {
    w.field("next_iteration", 2).field("next_instruction", 1).field("pool", std::vector<std::string>{});
    w.field("instructions", std::vector<int>{}).field("history", std::vector<int>{});
    w.key("llm");
    schemas::MapWriter lw(w.packer(), 1);
    lw.field("calls", 7L);
  });
  const ExperimentState s = decode_state(old);
  EXPECT_EQ(s.llm.calls, 7);
  EXPECT_EQ(s.llm.cached, 0);
  EXPECT_EQ(s.llm.prompt_tokens, 0);
  EXPECT_TRUE(s.llm_agents.empty());
}

}  // namespace
}  // namespace bigpe::engine
