// The worker's backend factory builds the libtorch backends from their
// names and model folders (tiny models from scripts/make_tiny_models.py),
// several scorers each from the folder of its family, and says what is
// missing when a folder is not given.
#include <gtest/gtest.h>

#include "tests/models/support/model_test_support.h"
#include "tests/models/support/pattern_image.h"
#include "worker/backend_factory.h"
#include "worker/model_fingerprint.h"

namespace bigpe {
namespace {

TEST(ModelBackendFactory, NeedsModelFolders) {
  BackendSettings s;
  s.backend = "torchscript-sd";
  try {
    make_renderer(s);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--model DIR"), std::string::npos) << e.what();
  }
  try {
    make_scorer(s);  // torchscript-sd scores with hpsv2 by default
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--scorer-model DIR"), std::string::npos) << e.what();
  }
  s.scorer = "pickscore";
  try {
    make_scorer(s);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("scorer pickscore needs a model folder (--scorer-model DIR"),
              std::string::npos)
        << e.what();
  }
  s.backend = "sim";
  s.scorer = "clip";
  try {
    make_scorer(s);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown scorer 'clip' (this build has: sim, sim-judge, hpsv2, pickscore, aesthetic)"),
              std::string::npos)
        << e.what();
  }
}

// --scorer NAME --scorer-model DIR for each libtorch scorer; without
// --scorer a torchscript-sd worker runs the scorer of the folder's family.
TEST(ModelBackendFactory, BuildsEachTorchScorerByNameOrFromTheFoldersFamily) {
  std::string why;
  std::string tiny = models::testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  const std::pair<std::string, std::string> expected[] = {
      {"pickscore", "pickscore-v1;device=cpu;dtype=image:float32,text:float32;model="},
      {"aesthetic", "aesthetic-v1;device=cpu;dtype=image:float32,head:float32;model="}};
  for (const auto& [name, identity] : expected) {
    for (const std::string& asked : {name, std::string()}) {
      BackendSettings s;
      s.backend = "torchscript-sd";
      s.scorer = asked;
      s.scorer_model_dirs = {tiny + "/" + name};
      s.device = "cpu";
      auto scorer = make_scorer(s);
      EXPECT_EQ(scorer->name(), name) << "asked for '" << asked << "'";
      EXPECT_EQ(scorer->identity(), identity + model_folder_fingerprint(s.scorer_model_dirs.front()));
    }
  }
  // A name and a folder of another family: the folder's manifest is named.
  BackendSettings s;
  s.backend = "torchscript-sd";
  s.scorer = "aesthetic";
  s.scorer_model_dirs = {tiny + "/pickscore"};
  s.device = "cpu";
  try {
    make_scorer(s);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(tiny + "/pickscore/manifest.yaml: family 'pickscore': the aesthetic scorer"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelBackendFactory, BuildsTorchBackendsFromTinyModels) {
  std::string why;
  std::string tiny = models::testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  BackendSettings s;
  s.backend = "torchscript-sd";
  s.model_dir = tiny + "/sdxl-turbo";
  s.scorer_model_dirs = {tiny + "/hpsv2"};
  s.device = "cpu";
  auto renderer = make_renderer(s);
  auto scorer = make_scorer(s);
  EXPECT_EQ(renderer->name(), "torchscript-sd");
  EXPECT_EQ(scorer->name(), "hpsv2");
  // The identity names the pipeline's code version, the precision and the
  // model folder's files (model_fingerprint.h).
  EXPECT_EQ(renderer->identity(),
            "torchscript-sd-v1;family=sdxl-turbo;device=cpu;dtype=te:float32,te2:float32,unet:float32,vae:float32;"
            "model=" + model_folder_fingerprint(s.model_dir));
  EXPECT_EQ(scorer->identity(), "hpsv2-v1;device=cpu;dtype=image:float32,text:float32;model=" +
                                    model_folder_fingerprint(s.scorer_model_dirs.front()));
  schemas::RenderParams p;  // the defaults: 1 euler step, guidance 0, as SDXL-Turbo runs
  p.width = p.height = 64;
  std::vector<Image> images = renderer->render({{"a cat", 1}, {"a dog", 2}}, p);
  ASSERT_EQ(images.size(), 2u);
  std::vector<double> scores = scorer->score(images, {"a cat", "a dog"}, p);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_NE(scores[0], scores[1]);
}

// Several folders (--scorer-model repeated): each scorer loads the folder of
// its family and is the scorer it would be alone: the same identity, its
// own folder's fingerprint included, so the same cache keys (schemas/
// README.md 7.3), and the same scores.
TEST(ModelBackendFactory, SeveralFoldersMakeEachScorerAsItWouldBeAlone) {
  std::string why;
  std::string tiny = models::testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  const std::vector<Image> images = {models::testing::pattern_image(64, 48, 1),
                                     models::testing::pattern_image(40, 64, 2)};
  const std::vector<std::string> texts = {"a cat", "a red lamp"};
  auto alone = [&](const std::string& name) {
    BackendSettings s;
    s.backend = "torchscript-sd";
    s.scorer = name;
    s.scorer_model_dirs = {tiny + "/" + name};
    s.device = "cpu";
    return make_scorer(s);
  };
  // The list's order, not the folders'; and without a list, the folders'.
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"pickscore,hpsv2", {"hpsv2", "pickscore"}},
      {"", {"aesthetic", "hpsv2", "pickscore"}}};
  for (const auto& [list, families] : cases) {
    BackendSettings s;
    s.backend = "torchscript-sd";
    s.scorer = list;
    for (const std::string& f : families) s.scorer_model_dirs.push_back(tiny + "/" + f);
    s.device = "cpu";
    const std::vector<std::string> expected = list.empty() ? families : std::vector<std::string>{"pickscore", "hpsv2"};
    std::vector<std::unique_ptr<Scorer>> scorers = make_scorers(s);
    ASSERT_EQ(scorers.size(), expected.size()) << "--scorer '" << list << "'";
    schemas::RenderParams p;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      std::unique_ptr<Scorer> one = alone(expected[i]);
      EXPECT_EQ(scorers[i]->name(), expected[i]);
      EXPECT_EQ(scorers[i]->identity(), one->identity());
      EXPECT_NE(scorers[i]->identity().find("model=" + model_folder_fingerprint(tiny + "/" + expected[i])),
                std::string::npos)
          << scorers[i]->identity();
      EXPECT_EQ(scorers[i]->score(images, texts, p), one->score(images, texts, p)) << expected[i];
    }
  }
}

}  // namespace
}  // namespace bigpe
