// The worker refuses, for good and before rendering anything, a task whose
// render options name one that neither its renderer nor its scorer reads,
// and names that option; options its backends read, and "cache." ones
// (which only separate cache keys), pass.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "backends/backend_identity.h"
#include "backends/sim/sim_renderer.h"
#include "schemas/render_task.h"
#include "worker/backend_factory.h"
#include "worker/task_executor.h"

namespace bigpe {
namespace {

schemas::Task task_with(const std::string& identity, const std::map<std::string, std::string>& options) {
  schemas::RenderTask r;
  r.service = "sim";
  r.identity = identity;
  r.params.options = options;
  r.items.push_back({"a lamp, golden hour", "a lamp", 3, "k1"});
  return schemas::Task{"t", 1, "exp", schemas::encode(r)};
}

class TaskOptionsTest : public ::testing::Test {
 protected:
  TaskOptionsTest()
      : renderer_(make_renderer(BackendSettings{})), scorer_(make_scorer(BackendSettings{})),
        executor_("w", *renderer_, *scorer_, nullptr, nullptr) {}
  TaskExecutor::Outcome run(const std::map<std::string, std::string>& options) {
    return executor_.run({task_with(backend_identity(*renderer_, *scorer_), options)}).at(0);
  }
  std::unique_ptr<Renderer> renderer_;
  std::unique_ptr<Scorer> scorer_;
  TaskExecutor executor_;
};

TEST_F(TaskOptionsTest, OptionsTheBackendsReadAndCacheOptionsPass) {
  TaskExecutor::Outcome o = run({{"sim.taste_seed", "4"}, {"sim.SD", "0.5"}, {"sim.MAXW", "40"},
                                 {"cache.scope", "exp-1"}});
  EXPECT_EQ(o.reply.error, "");
  EXPECT_FALSE(o.reply.permanent);
  EXPECT_EQ(o.renders, 1);
}

TEST_F(TaskOptionsTest, AnOptionNoBackendReadsIsRefusedForGoodNamingIt) {
  TaskExecutor::Outcome o = run({{"sim.taste_seed", "4"}, {"sim.tast_seed", "4"}});
  EXPECT_NE(o.reply.error.find("unknown render option 'sim.tast_seed'"), std::string::npos) << o.reply.error;
  EXPECT_NE(o.reply.error.find("sim.taste_seed"), std::string::npos) << "the known names are listed";
  EXPECT_TRUE(o.reply.permanent);
  EXPECT_EQ(o.renders, 0) << "refused before rendering";
  EXPECT_TRUE(o.reply.body.empty());
}

TEST_F(TaskOptionsTest, AFailureOfTheBackendIsNotPermanent) {
  TaskExecutor::Outcome o = run({{"sim.fault", "throw"}});
  EXPECT_NE(o.reply.error.find("sim.fault=throw"), std::string::npos) << o.reply.error;
  EXPECT_FALSE(o.reply.permanent) << "another attempt may succeed";
}

// A sim renderer that advertises a model family's limits, as the
// torchscript-sd renderer does: the worker refuses params outside them for
// good, before any render, with the words READY's limits give.
class LimitedSimRenderer final : public SimRenderer {
 public:
  schemas::RenderLimits limits() const override {
    schemas::RenderLimits l;
    l.family = "sdxl-turbo";
    l.min_steps = 1;
    l.max_steps = 4;
    l.max_guidance = 1;
    return l;
  }
};

TEST(TaskLimitsTest, ParamsOutsideTheRenderersLimitsAreRefusedForGood) {
  LimitedSimRenderer renderer;
  std::unique_ptr<Scorer> scorer = make_scorer(BackendSettings{});
  TaskExecutor executor("w", renderer, *scorer, nullptr, nullptr);
  schemas::RenderTask r;
  r.service = "sim";
  r.identity = backend_identity(renderer, *scorer);
  r.params.steps = 50;
  r.items.push_back({"a lamp, golden hour", "a lamp", 3, "k1"});
  TaskExecutor::Outcome o = executor.run({schemas::Task{"t", 1, "exp", schemas::encode(r)}}).at(0);
  EXPECT_EQ(o.reply.error, "render params refused: steps: sdxl-turbo renders in 1 to 4 steps, got 50");
  EXPECT_TRUE(o.reply.permanent);
  EXPECT_EQ(o.renders, 0);

  r.params.steps = 2;
  o = executor.run({schemas::Task{"t2", 1, "exp", schemas::encode(r)}}).at(0);
  EXPECT_EQ(o.reply.error, "");
  EXPECT_EQ(o.renders, 1);
}

}  // namespace
}  // namespace bigpe
