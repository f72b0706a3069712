// The embedded default on real models: `workers: local` with
// `render.backend: torchscript-sd` starts in-process torchscript-sd/hpsv2
// workers (one per visible GPU, here the CPU) from render.model and
// score.model, with the tiny TorchScript models the tests make. Params the
// model family refuses (SDXL-Turbo at the paper's 50 steps and guidance 5)
// stop the run before any render, naming each key and the workers' limits,
// and a resume may change them because nothing was rendered.
#include <gtest/gtest.h>

#include <filesystem>

#include "scheduler/store/run_folder.h"
#include "tests/models/support/model_test_support.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::run_bigpe;

std::vector<std::string> turbo_run(const std::string& models, const std::string& run) {
  return {"run", "experiments/quickstart.yaml", "out=" + run, "iterations=1", "eval.seeds=1",
          "render.backend=torchscript-sd", "render.service=turbo", "render.model=" + models + "/sdxl-turbo",
          "score.model=" + models + "/hpsv2", "render.devices=cpu", "render.width=64", "render.height=64",
          "render.steps=50", "render.guidance=5"};
}

// The tiny models (scripts/make_tiny_models.py), or the test is skipped.
class LocalModelWorkers : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    models = models::testing::tiny_models(&why);
    if (models.empty()) GTEST_SKIP() << "no tiny models: " << why;
  }
  std::string models;
};

TEST_F(LocalModelWorkers, TurboParamsAreRefusedBeforeAnyRenderAndAResumeMayFixThem) {
  testing::TempDir dir("bigpe-local-models");
  const std::string run = dir.file("run");

  Invocation refused = run_bigpe(turbo_run(models, run), dir.file("run.log"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("override 'render.steps=50': key 'render.steps': the workers of service turbo "
                                "refuse it: sdxl-turbo renders in 1 to 4 steps, got 50"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("key 'render.guidance'"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("bigpe resume " + run + " render.steps=4 render.guidance=0"), std::string::npos)
      << refused.output;
  // Checked before the first task: no worker ever refused one.
  EXPECT_EQ(refused.output.find("render failed"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find("render task(s) failed"), std::string::npos) << refused.output;

  Invocation resumed =
      run_bigpe({"resume", run, "render.steps=2", "render.guidance=0"}, dir.file("resume.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("render.steps: stored '50', now '2'"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("gain over I0 (paired)"), std::string::npos) << resumed.output;
  // The new params are the run's from now on.
  EXPECT_EQ(engine::read_run_file(run).values.at("render.steps"), "2");
  EXPECT_FALSE(std::filesystem::is_empty(run + "/images")) << "the local workers write the run's images";
}

TEST_F(LocalModelWorkers, ARenderModelOfTheWrongFamilyIsAConfigError) {
  testing::TempDir dir("bigpe-local-models-bad");
  const std::string run = dir.file("run");
  std::vector<std::string> args = turbo_run(models, run);
  args.push_back("render.model=" + models + "/hpsv2");
  Invocation r = run_bigpe(args, dir.file("run.log"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("key 'render.model': " + models + "/hpsv2 holds a hpsv2 model"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(run)) << "refused before the run folder exists";
}

TEST(LocalModelWorkerConfig, WithoutModelFoldersTheRunIsRefusedNamingTheKeys) {
  testing::TempDir dir("bigpe-local-models-none");
  const std::string run = dir.file("run");
  Invocation r = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "render.backend=torchscript-sd"},
                           dir.file("run.log"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  // Reported where the user set something: the backend override.
  EXPECT_NE(r.output.find("override 'render.backend=torchscript-sd': key 'render.backend': local torchscript-sd "
                          "workers need render.model"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("need score.model"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(run));
}

}  // namespace
}  // namespace bigpe
