// The `bigpe tokenize`, `bigpe render`, `bigpe score` and `bigpe bench
// models` commands, run as a user would (full build only: the models-only
// build has no bigpe executable).
#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>

#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

#ifdef BIGPE_EXE
const std::string kExe = BIGPE_EXE;
#else
const std::string kExe;
#endif

class ModelCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kExe.empty()) GTEST_SKIP() << "no bigpe executable in the models-only build";
  }
  testing::ScratchDir dir_{"commands"};
};

// A torchscript-sd worker needs two folders; one without them says which
// at once (and exits 2, before it loads or connects to anything), rather
// than naming only the first missing one per start.
TEST_F(ModelCommands, WorkerWithoutItsModelFoldersSaysWhichAreMissing) {
  const std::string base = kExe + " worker --service s --backend torchscript-sd --broker tcp://127.0.0.1:1 --no-persist";
  std::string out;
  EXPECT_EQ(testing::run_shell(base, &out), 2) << out;
  EXPECT_NE(out.find("worker: cannot start: --backend torchscript-sd renders and scores, so it needs --model DIR"),
            std::string::npos) << out;
  EXPECT_NE(out.find("and --scorer-model DIR (the exported HPS v2 folder); see docs/models.md"), std::string::npos)
      << out;
  EXPECT_EQ(testing::run_shell(base + " --model " + dir_.file("sd"), &out), 2) << out;
  EXPECT_NE(out.find("needs --scorer-model DIR"), std::string::npos) << out;
  EXPECT_EQ(out.find("--model DIR"), std::string::npos) << out;
}

TEST_F(ModelCommands, WorkerWithAnUnknownScorerNamesTheKnownOnes) {
  std::string why;
  std::string tiny = testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  std::string out;
  EXPECT_EQ(testing::run_shell(kExe + " worker --service s --backend torchscript-sd --broker tcp://127.0.0.1:1 "
                                      "--no-persist --device cpu --model " + tiny + "/sd1 --scorer-model " + tiny +
                                      "/pickscore --scorer imagereward",
                                  &out),
            2)
      << out;
  EXPECT_NE(out.find("unknown scorer 'imagereward' (this build has: sim, sim-judge, hpsv2, pickscore, aesthetic)"),
            std::string::npos)
      << out;
}

TEST_F(ModelCommands, TokenizePrintsOneLinePerText) {
  std::string vocab = dir_.file("v.txt.gz");
  gzFile f = gzopen(vocab.c_str(), "wb");
  ASSERT_TRUE(f != nullptr);
  std::string text = "#version\nc a\nca t</w>\n";
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  std::string out;
  ASSERT_EQ(testing::run_shell(kExe + " tokenize --vocab " + vocab + " 'A CAT' '1!' ", &out), 0) << out;
  EXPECT_EQ(out, "514 320 513 515\n514 272 256 515\n");
  ASSERT_EQ(testing::run_shell(kExe + " tokenize --vocab " + vocab + " --context 6 --pad-id 0 cat", &out), 0) << out;
  EXPECT_EQ(out, "514 513 515 0 0 0\n");
  EXPECT_NE(testing::run_shell(kExe + " tokenize --vocab " + dir_.file("none.gz") + " cat", &out), 0);
  EXPECT_NE(out.find("none.gz"), std::string::npos) << out;
}

TEST_F(ModelCommands, TokenizeWithTheRealVocabulary) {
  std::string vocab = testing::clip_vocab_path();
  if (vocab.empty()) GTEST_SKIP() << "no real CLIP vocabulary";
  std::string out;
  ASSERT_EQ(testing::run_shell(kExe + " tokenize --vocab " + vocab + " 'a photo of a cat' 'Hello world!'", &out), 0)
      << out;
  EXPECT_EQ(out, "49406 320 1125 539 320 2368 49407\n49406 3306 1002 256 49407\n");
}

TEST_F(ModelCommands, RenderThenScoreWithTinyModels) {
  std::string why;
  std::string tiny = testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  std::string png = dir_.file("cat.png"), out;
  ASSERT_EQ(testing::run_shell(kExe + " render --model " + tiny + "/sd1 'a photo of a cat' --seed 3 --steps 2 --out " +
                                   png + " --device cpu",
                               &out),
            0)
      << out;
  EXPECT_NE(out.find("64x64 steps=2 guidance=7.5"), std::string::npos) << out;
  ASSERT_TRUE(testing::file_exists(png));
  ASSERT_EQ(testing::run_shell(kExe + " score --model " + tiny + "/hpsv2 " + png + " 'a cat' --device cpu", &out), 0)
      << out;
  double score = std::stod(out);
  EXPECT_LE(std::fabs(score), 100.0);
  // The folder's family picks the scorer.
  ASSERT_EQ(testing::run_shell(kExe + " score --model " + tiny + "/pickscore " + png + " 'a cat' --device cpu", &out), 0)
      << out;
  EXPECT_LE(std::fabs(std::stod(out)), std::exp(3.0));  // the tiny logit_scale
  ASSERT_EQ(testing::run_shell(kExe + " score --model " + tiny + "/aesthetic " + png + " 'a cat' --device cpu", &out), 0)
      << out;
  const double aesthetic = std::stod(out);
  ASSERT_EQ(testing::run_shell(kExe + " score --model " + tiny + "/aesthetic " + png + " 'the dog' --device cpu", &out),
            0)
      << out;
  EXPECT_EQ(std::stod(out), aesthetic) << "the aesthetic score ignores the text";
  EXPECT_NE(testing::run_shell(kExe + " score --model " + tiny + "/sd1 " + png + " 'a cat' --device cpu", &out), 0);
  EXPECT_NE(out.find("family 'sd1' is not a scorer's (hpsv2, pickscore, aesthetic)"), std::string::npos) << out;

  EXPECT_NE(testing::run_shell(kExe + " render --model " + tiny + "/hpsv2 cat --out " + png, &out), 0);
  EXPECT_NE(out.find("family 'hpsv2'"), std::string::npos) << out;
  ASSERT_EQ(testing::run_shell(kExe + " bench models --model " + tiny + "/sdxl-turbo --steps 1 --seconds 0 --device cpu" +
                                   " --python ''",
                               &out),
            0)
      << out;
  EXPECT_NE(out.find("batch  8: render"), std::string::npos) << out;
  EXPECT_EQ(out.find("ratio="), std::string::npos) << "no baseline asked for: " << out;
}

// The Python baseline drives the same modules from python3-torch in the same
// run and the bench ends with the C++ / Python ratio; a Python that cannot
// run it is named, and the bench still reports the C++ figures.
TEST_F(ModelCommands, BenchModelsComparesWithPythonOnTheSameModules) {
  std::string why;
  std::string tiny = testing::tiny_models(&why);
  if (tiny.empty()) GTEST_SKIP() << "no tiny models: " << why;
  const std::string bench = kExe + " bench models --model " + tiny + "/sdxl-turbo --scorer-model " + tiny +
                            "/hpsv2 --steps 1 --seconds 0 --batch 2 --device cpu --python ";
  std::string out;
  ASSERT_EQ(testing::run_shell(bench + testing::python(), &out), 0) << out;
  EXPECT_NE(out.find("batch  2: render+score C++ "), std::string::npos) << out;
  EXPECT_NE(out.find("\nratio="), std::string::npos) << out;
  ASSERT_EQ(testing::run_shell(bench + dir_.file("no-python"), &out), 0) << out;
  EXPECT_NE(out.find("batch 2: no Python baseline (" + dir_.file("no-python") + ")"), std::string::npos) << out;
  EXPECT_EQ(out.find("ratio="), std::string::npos) << out;
}

}  // namespace
}  // namespace bigpe::models
