// The pickscore and aesthetic scorers on the tiny model folders give the
// scores a Python computation of the reference formulas gives with the
// same modules (tests/models/reference/clip_scorer_reference.py: the
// reference preprocessing with PIL, PickScore's logit_scale.exp() x cosine,
// the aesthetic predictor's head on the normalized embedding), on images
// of sizes that resize, crop at odd offsets and upscale. The same for
// folders written by scripts/export_pickscore.py and export_aesthetic.py
// themselves, run on a small random model through a stand-in for
// transformers (tests/models/python/fake_transformers; Debian's python3
// has no transformers), so the exporters' output loads and scores as the
// reference formulas say.
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
  std::vector<double> reference(const std::string& folder, const std::string& ids, const std::string& device) {
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

  // The folder's scores of images_ on `device` against the reference's,
  // within `tolerance`.
  void expect_reference_scores(const std::string& scorer_name, const std::string& folder, const std::string& device,
                               double tolerance) {
    const std::string text = "a photo of the cat";
    ModelManifest m = load_manifest(folder);
    std::string ids = "-";
    if (m.family == ModelFamily::kPickscore) {
      ids.clear();
      for (int64_t id : ClipTokenizer::load(m.vocab, m.vocab_merges).tokenize(text, m.pad_id, m.context_length))
        ids += (ids.empty() ? "" : ",") + std::to_string(id);
    }
    std::vector<double> want = reference(folder, ids, device == "cpu" ? "cpu" : "cuda");
    ASSERT_EQ(want.size(), images_.size());
    auto scorer = make_torch_scorer(scorer_name, folder, device);
    std::vector<double> got = scorer->score(images_, std::vector<std::string>(images_.size(), text), {});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], tolerance)
          << folder << ": image " << i << " (" << images_[i].width << "x" << images_[i].height << ")";
    EXPECT_GT(spread(want), 50 * tolerance) << folder;
  }

  static std::string device() { return testing::test_device(); }

  std::string root_;
  std::vector<Image> images_;
  testing::ScratchDir scratch_{"scorer-values"};
};

TEST_F(ScorerValues, PickscoreMatchesThePythonFormula) {
  expect_reference_scores("pickscore", root_ + "/pickscore", device(), tolerance(std::exp(3.0)));  // its logit_scale
}

TEST_F(ScorerValues, AestheticMatchesThePythonFormula) {
  expect_reference_scores("aesthetic", root_ + "/aesthetic", device(), tolerance(10));
}

TEST_F(ScorerValues, ExportersOutputScoresAsTheReferenceFormulas) {
  const std::string in = scratch_.file("checkpoints"), fake = testing::source_dir() + "/tests/models/python";
  std::string out;
  ASSERT_EQ(testing::run_shell(testing::python() + " -B " + fake + "/fake_checkpoints.py " + in, &out), 0) << out;
  const std::string run = "PYTHONPATH=" + fake + "/fake_transformers " + testing::python() + " -B " +
                          testing::source_dir() + "/scripts/";
  ASSERT_EQ(testing::run_shell(run + "export_pickscore.py --checkpoint " + in + "/pickscore --processor " + in +
                                   "/processor --out " + in + "/out-pickscore --device cpu",
                               &out),
            0)
      << out;
  ASSERT_EQ(testing::run_shell(run + "export_aesthetic.py --clip " + in + "/clip-l --head " + in +
                                   "/head.pth --out " + in + "/out-aesthetic --device cpu",
                               &out),
            0)
      << out;
  ModelManifest m = load_manifest(in + "/out-pickscore");
  EXPECT_DOUBLE_EQ(m.logit_scale, 2.5);  // the checkpoint's
  EXPECT_EQ(m.embed_dim, 16);
  // Sizes the preprocessing handles exactly (no resize, only a crop, at
  // offsets 1 and 2 where floor and round half to even part), so the check
  // is of the exported modules and the formula, to float32 rounding: the
  // stand-in model's small features would magnify the resize's rare 8-bit
  // differences.
  images_.clear();
  for (auto [w, h] : std::vector<std::pair<int, int>>{{224, 224}, {227, 224}, {224, 227}, {229, 224}})
    images_.push_back(testing::pattern_image(w, h, static_cast<unsigned>(w * 5 + h)));
  expect_reference_scores("pickscore", in + "/out-pickscore", "cpu", 1e-5);
  expect_reference_scores("aesthetic", in + "/out-aesthetic", "cpu", 1e-5);
}

}  // namespace
}  // namespace bigpe::models
