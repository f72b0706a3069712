// The pickscore and aesthetic scorers on the tiny model folders give the
// scores a Python computation of the reference formulas gives with the
// same modules (tests/models/reference/clip_scorer_reference.py: the
// reference preprocessing with PIL, PickScore's logit_scale.exp() x cosine,
// the aesthetic predictor's head on the normalized embedding), on images
// of sizes that resize, crop at odd offsets and upscale.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/core/clip_tokenizer.h"
#include "models/core/model_manifest.h"
#include "models/model_backends.h"
#include "tests/models/support/model_test_support.h"
#include "tests/models/support/pattern_image.h"

namespace bigpe::models {
namespace {

class ScorerValues : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::python_torch_problem(true);
    if (!why.empty()) GTEST_SKIP() << why;
    root_ = testing::tiny_models(&why);
    if (root_.empty()) GTEST_SKIP() << "no tiny models: " << why;
    for (auto [w, h] : std::vector<std::pair<int, int>>{{64, 64}, {97, 64}, {64, 131}, {300, 240}})
      images_.push_back(testing::pattern_image(w, h, static_cast<unsigned>(w * 7 + h)));
  }

  // The reference's scores of images_ against `ids` ("-": none).
  std::vector<double> reference(const std::string& folder, const std::string& ids) {
    std::string device = testing::test_device().rfind("cuda", 0) == 0 ? "cuda" : "cpu";
    std::string command = testing::python() + " -B " + testing::source_dir() +
                          "/tests/models/reference/clip_scorer_reference.py " + device + " " + folder + " " + ids;
    for (size_t i = 0; i < images_.size(); ++i) {
      std::string path = scratch_.file("image" + std::to_string(i) + ".rgb");
      testing::write_text(path, std::string(images_[i].rgb.begin(), images_[i].rgb.end()));
      command += " " + path + " " + std::to_string(images_[i].width) + " " + std::to_string(images_[i].height);
    }
    std::string out;
    EXPECT_EQ(testing::run_shell(command, &out), 0) << out;
    std::istringstream in(out);
    std::vector<double> scores;
    for (double v; in >> v;) scores.push_back(v);
    return scores;
  }

  // float32 on the CPU, where only the resize's rare 8-bit level differences
  // remain (they move the tiny models' scores by up to 3e-5 of their
  // scale); float16 modules on CUDA.
  static double tolerance(double scale) { return (testing::test_device() == "cpu" ? 1e-4 : 2e-3) * scale; }

  // The images' scores spread far beyond the tolerance, so a wrong
  // preprocessing or formula would show.
  static double spread(const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
  }

  std::string root_;
  std::vector<Image> images_;
  testing::ScratchDir scratch_{"scorer-values"};
};

TEST_F(ScorerValues, PickscoreMatchesThePythonFormula) {
  const std::string folder = root_ + "/pickscore";
  const std::string text = "a photo of the cat";
  ModelManifest m = load_manifest(folder);
  std::string ids;
  for (int64_t id : ClipTokenizer::load(m.vocab, m.vocab_merges).tokenize(text, m.pad_id, m.context_length))
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  std::vector<double> want = reference(folder, ids);
  ASSERT_EQ(want.size(), images_.size());
  auto scorer = make_torch_scorer("pickscore", folder, testing::test_device());
  std::vector<double> got = scorer->score(images_, std::vector<std::string>(images_.size(), text), {});
  ASSERT_EQ(got.size(), want.size());
  const double factor = std::exp(m.logit_scale);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tolerance(factor)) << "image " << i << " (" << images_[i].width << "x"
                                                    << images_[i].height << ")";
  EXPECT_GT(spread(want), 100 * tolerance(factor));
}

TEST_F(ScorerValues, AestheticMatchesThePythonFormula) {
  const std::string folder = root_ + "/aesthetic";
  std::vector<double> want = reference(folder, "-");
  ASSERT_EQ(want.size(), images_.size());
  auto scorer = make_torch_scorer("aesthetic", folder, testing::test_device());
  std::vector<double> got = scorer->score(images_, std::vector<std::string>(images_.size(), ""), {});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tolerance(10)) << "image " << i << " (" << images_[i].width << "x"
                                               << images_[i].height << ")";
  EXPECT_GT(spread(want), 50 * tolerance(10));
}

}  // namespace
}  // namespace bigpe::models
