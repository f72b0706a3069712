// score.optimize and score.judges on the real fabric (an in-process
// broker, a Worker with two scorers over TCP, a private redis-server): the
// dispatcher's outcome score is the score.optimize blend of the scores the
// worker sent (and of those it finds in Redis itself), a blend naming a
// score the workers lack fails naming it, and the evaluation reports the
// judge's scores of the same cells with the same paired statistics.
//
// TODO(sim-judge merge): the judge is OtherTasteSimScorer (tests/support);
// switch it to the factory's `sim-judge` once that is merged.
#include <thread>

#include <gtest/gtest.h>

#include "backends/sim/sim_vocabulary.h"
#include "common/config.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "scheduler/prodb/query_set.h"
#include "scheduler/render/render_dispatcher.h"
#include "scheduler/report/eval_tables.h"
#include "scheduler/report/report.h"
#include "tests/integration/fabric_harness.h"
#include "tests/support/extra_scorers.h"
#include "tests/support/redis_fixture.h"

namespace bigpe::testing {
namespace {

class ScoreJudgesTest : public RedisFixture {
 protected:
  void SetUp() override {
    RedisFixture::SetUp();
    broker_ = std::make_unique<InProcessBroker>(broker_options());
    std::vector<std::unique_ptr<Scorer>> scorers;
    scorers.push_back(std::make_unique<SimScorer>(vocab_));
    scorers.push_back(std::make_unique<OtherTasteSimScorer>(vocab_, 1000, "judge"));
    worker_ = std::make_unique<Worker>(sim_worker_options(broker_->worker_endpoint(), server().options()),
                                       std::make_unique<SimRenderer>(), std::move(scorers));
    thread_ = std::thread([this] { worker_->run(); });
    client_ = std::make_unique<broker::BrokerClient>(broker_->client_endpoint(), "sched", client_options());
    redis_ = client_ptr();
    ASSERT_TRUE(wait_for_workers(*client_, 1));
  }
  void TearDown() override {
    client_.reset();
    worker_->stop();
    thread_.join();
    worker_.reset();
    broker_.reset();
    RedisFixture::TearDown();
  }
  engine::DispatchSettings settings(const std::string& optimize) const {
    engine::DispatchSettings ds;
    ds.experiment_id = "exp";
    ds.service = kService;
    ds.identity = worker_->identity();
    ds.params.options["sim.taste_seed"] = "4";
    ds.scorers = {"sim", "judge"};
    ds.optimize = engine::parse_score_target(optimize);
    return ds;
  }

  std::shared_ptr<const sim::Vocabulary> vocab_ =
      std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  std::unique_ptr<InProcessBroker> broker_;
  std::unique_ptr<Worker> worker_;
  std::thread thread_;
  std::unique_ptr<broker::BrokerClient> client_;
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(ScoreJudgesTest, TheOutcomeScoreIsTheBlendOfTheWorkersScores) {
  const std::vector<engine::RenderJob> jobs = {{"a fox, oil painting", "a fox", 1}, {"a fox", "a fox", 2}};
  engine::RenderDispatcher blend(*client_, *redis_, settings("sim:0.25,judge:2"));
  std::vector<engine::RenderOutcome> out = blend.run(jobs);
  ASSERT_EQ(out.size(), 2u);
  for (const engine::RenderOutcome& o : out) {
    ASSERT_EQ(o.scores.size(), 2u);
    EXPECT_NE(o.scores.at("sim"), o.scores.at("judge"));
    EXPECT_DOUBLE_EQ(o.score, 0.25 * o.scores.at("sim") + 2 * o.scores.at("judge"));
  }
  // Found in Redis by the dispatcher itself: the same blend of the record.
  engine::RenderDispatcher judge_only(*client_, *redis_, settings("judge"));
  std::vector<engine::RenderOutcome> cached = judge_only.run(jobs);
  EXPECT_EQ(judge_only.renders_cached(), 2);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_DOUBLE_EQ(cached[i].score, out[i].scores.at("judge"));
  // The default: the first scorer's score, as ever.
  engine::RenderDispatcher plain(*client_, *redis_, settings(""));
  for (std::size_t i = 0; i < 2; ++i) EXPECT_DOUBLE_EQ(plain.run(jobs)[i].score, out[i].scores.at("sim"));
}

TEST_F(ScoreJudgesTest, ABlendNamingAScoreTheWorkersLackFailsNamingIt) {
  engine::RenderDispatcher d(*client_, *redis_, settings("pickscore"));
  try {
    d.run({{"a heron", "a heron", 1}});
    ADD_FAILURE() << "a missing score was taken";
  } catch (const engine::RenderFailed& e) {
    EXPECT_NE(std::string(e.what()).find("score.optimize needs a score of scorer 'pickscore'"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("has scores of: judge, sim"), std::string::npos) << e.what();
  }
}

TEST_F(ScoreJudgesTest, TheEvaluationReportsTheJudgeWithTheSamePairedStatistics) {
  const engine::ExperimentSettings s = engine::settings_from(
      Config::parse("", "test", engine::experiment_schema(),
                    {"eval.seeds=2", "score.scorers=sim,judge", "score.judges=judge", "llm.max_concurrent=1"}));
  const std::vector<std::string> all = load_queries(default_queries_path());
  QuerySplit split = split_queries(all, paper_table2_queries(), 20);
  ProfessionalDb prodb = ProfessionalDb::synthetic(all, *vocab_, 0);
  HeuristicLlm llm(vocab_, HeuristicOptions{});
  Generator generator(llm, AgentOptions{});
  GradientCalculator gradient(llm, AgentOptions{});
  InstructionModifier modifier(llm, AgentOptions{});
  engine::RenderDispatcher renders(*client_, *redis_, settings(""));
  engine::EngineContext ctx{s, "exp", split, prodb, generator, gradient, modifier, renders, nullptr};
  using K = engine::EvalMethod::Kind;
  const std::vector<std::string> queries(split.heldout.begin(), split.heldout.begin() + 3);
  engine::EvaluationResult r =
      engine::evaluate_methods(ctx, queries, {{"plain", K::kPlain, ""}, {"professional", K::kProfessional, ""}});

  ASSERT_EQ(r.judges.size(), 1u);
  const engine::EvaluationResult judged = r.judged_by("judge");
  ASSERT_EQ(judged.methods.size(), 2u);
  ASSERT_EQ(judged.methods[0].values.size(), 6u);
  // The judge's values are its own scores of the very cells scored above.
  std::vector<engine::RenderJob> plain;
  for (std::size_t c = 0; c < r.size(); ++c) plain.push_back({r.query_of(c), r.query_of(c), r.seed_of(c)});
  std::vector<engine::RenderOutcome> again = renders.run(plain);
  for (std::size_t c = 0; c < r.size(); ++c) {
    EXPECT_DOUBLE_EQ(judged.methods[0].values[c], again[c].scores.at("judge"));
    EXPECT_DOUBLE_EQ(r.methods[0].values[c], again[c].scores.at("sim"));
  }
  EXPECT_NE(judged.methods[0].mean, r.methods[0].mean);
  // The same pair statistics, by the same code: its interval is the one
  // paired_difference gives the judge's values.
  const auto pairs = engine::all_pairs(judged);
  ASSERT_EQ(pairs.size(), 1u);
  const engine::MethodResult d = engine::paired_difference(judged.methods[1], judged.methods[0],
                                                           "professional - plain");
  EXPECT_DOUBLE_EQ(pairs[0].difference.ci_low, d.ci_low);
  EXPECT_DOUBLE_EQ(pairs[0].difference.ci_high, d.ci_high);
  // Stored and read back with its judge; the console table shows it.
  engine::EvaluationResult decoded = engine::decode_evaluation(engine::encode_evaluation(r));
  ASSERT_EQ(decoded.judges.size(), 1u);
  EXPECT_EQ(decoded.judged_by("judge").methods[1].values, judged.methods[1].values);
  EXPECT_DOUBLE_EQ(decoded.judged_by("judge").methods[1].ci_low, judged.methods[1].ci_low);
  const std::string table = engine::result_table(r);
  EXPECT_NE(table.find("judge judge (held out, not optimized):"), std::string::npos) << table;
}

TEST(EvaluationRecord, WithoutJudgesItKeepsItsBytesAndReadsBack) {
  engine::EvaluationResult r;
  r.queries = {"a"};
  r.seeds = 1;
  engine::MethodResult m;
  m.method = "plain";
  m.values = {1.5};
  r.methods.push_back(m);
  const std::string bytes = engine::encode_evaluation(r);
  EXPECT_EQ(bytes.find("judges"), std::string::npos);
  EXPECT_TRUE(engine::decode_evaluation(bytes).judges.empty());
}

}  // namespace
}  // namespace bigpe::testing
