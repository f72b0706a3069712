// End to end on the CPU (or $BIGPE_TEST_DEVICE) with the tiny TorchScript models of
// scripts/make_tiny_models.py: the torchscript-sd renderer for each family
// (sd1, sd2-v, sdxl, sdxl-turbo) and the hpsv2 scorer. Checks what must hold
// for any weights: shapes, determinism per seed, dependence on the seed and
// prompt, batch results equal to one-by-one results, and the parameter
// checks.
#include <gtest/gtest.h>

#include <cmath>

#include "models/model_backends.h"
#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

class TinyModels : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    root_ = testing::tiny_models(&why);
    if (root_.empty()) GTEST_SKIP() << "no tiny models: " << why;
  }
  std::string dir(const std::string& family) const { return root_ + "/" + family; }

  static schemas::RenderParams params(int steps, double guidance, const std::string& sampler = "euler") {
    schemas::RenderParams p;
    p.steps = steps;
    p.guidance = guidance;
    p.sampler = sampler;
    p.width = 64;
    p.height = 64;
    return p;
  }

  std::string root_;
};

// Largest per-byte difference between two images of the same size.
int max_diff(const Image& a, const Image& b) {
  if (a.rgb.size() != b.rgb.size()) return 256;
  int worst = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) worst = std::max(worst, std::abs(int(a.rgb[i]) - int(b.rgb[i])));
  return worst;
}

void expect_deterministic_and_batch_invariant(Renderer& r, const schemas::RenderParams& p) {
  std::vector<RenderRequest> batch{{"a photo of a cat", 1}, {"a photo of a cat", 2}, {"the dog and the art", 1}};
  std::vector<Image> together = r.render(batch, p);
  ASSERT_EQ(together.size(), 3u);
  for (const Image& im : together) {
    EXPECT_EQ(im.width, p.width);
    EXPECT_EQ(im.height, p.height);
    EXPECT_EQ(im.rgb.size(), static_cast<size_t>(p.width) * p.height * 3);
  }
  EXPECT_EQ(together[0].prompt, "a photo of a cat");
  EXPECT_EQ(together[1].seed, 2);
  // Another seed, another prompt: another image.
  EXPECT_GT(max_diff(together[0], together[1]), 8);
  EXPECT_GT(max_diff(together[0], together[2]), 0);
  for (size_t i = 0; i < batch.size(); ++i) {
    std::vector<Image> alone = r.render({batch[i]}, p);
    ASSERT_EQ(alone.size(), 1u);
    // Float sums may differ in the last bit between batch sizes; after
    // rounding to 8 bits that is at most 1.
    EXPECT_LE(max_diff(alone[0], together[i]), 1) << "item " << i << " alone vs in a batch";
  }
  std::vector<Image> again = r.render(batch, p);
  for (size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(again[i].rgb, together[i].rgb) << "item " << i << " re-rendered";
}

TEST_F(TinyModels, Sd1EulerWithGuidanceIsDeterministicAndBatchInvariant) {
  auto r = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  EXPECT_EQ(r->name(), "torchscript-sd");
  expect_deterministic_and_batch_invariant(*r, params(3, 7.5));
}

TEST_F(TinyModels, Sd2VPredictionWithDdim) {
  auto r = make_torchscript_sd_renderer(dir("sd2-v"), testing::test_device());
  expect_deterministic_and_batch_invariant(*r, params(4, 5.0, "ddim"));
}

TEST_F(TinyModels, SdxlUsesBothEncodersAndNegativePrompt) {
  auto r = make_torchscript_sd_renderer(dir("sdxl"), testing::test_device());
  schemas::RenderParams p = params(2, 5.0, "euler_a");
  expect_deterministic_and_batch_invariant(*r, p);
  std::vector<RenderRequest> one{{"a photo of a cat", 3}};
  schemas::RenderParams neg = p;
  neg.negative = "the dog";
  EXPECT_GT(max_diff(r->render(one, p)[0], r->render(one, neg)[0]), 0) << "negative prompt had no effect";
}

TEST_F(TinyModels, SdxlTurboRendersInOneStepWithoutGuidance) {
  auto r = make_torchscript_sd_renderer(dir("sdxl-turbo"), testing::test_device());
  expect_deterministic_and_batch_invariant(*r, params(1, 0.0));
  std::vector<RenderRequest> one{{"a cat", 1}};
  EXPECT_THROW(r->render(one, params(5, 0.0)), std::invalid_argument);
  EXPECT_THROW(r->render(one, params(1, 7.5)), std::invalid_argument);
  EXPECT_NO_THROW(r->render(one, params(4, 0.0, "euler_a")));
}

TEST_F(TinyModels, RendersOtherSizesAndRefusesBadParameters) {
  auto r = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  schemas::RenderParams p = params(2, 0.0);
  p.width = 96;
  p.height = 64;
  std::vector<Image> im = r->render({{"a cat", 5}}, p);
  ASSERT_EQ(im.size(), 1u);
  EXPECT_EQ(im[0].width, 96);
  EXPECT_EQ(im[0].height, 64);
  p.width = 60;
  EXPECT_THROW(r->render({{"a cat", 5}}, p), std::invalid_argument);
  EXPECT_THROW(r->render({{"a cat", 5}}, params(2, 0.0, "heun")), std::invalid_argument);
  EXPECT_TRUE(r->render({}, params(2, 0.0)).empty());
}

TEST_F(TinyModels, BatchesLargerThanOneChunkKeepOrder) {
  auto r = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  std::vector<RenderRequest> batch;
  for (int i = 0; i < 10; ++i) batch.push_back({"a cat", 100 + i});
  std::vector<Image> images = r->render(batch, params(1, 0.0));
  ASSERT_EQ(images.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(images[i].seed, 100 + i);
  EXPECT_LE(max_diff(images[9], r->render({batch[9]}, params(1, 0.0))[0]), 1);
}

TEST_F(TinyModels, Hpsv2ScoresAreCosinesTimes100AndBatchInvariant) {
  auto renderer = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  auto scorer = make_hpsv2_scorer(dir("hpsv2"), testing::test_device());
  EXPECT_EQ(scorer->name(), "hpsv2");
  schemas::RenderParams p = params(2, 0.0);
  std::vector<Image> images = renderer->render({{"a cat", 1}, {"a dog", 2}, {"the art", 3}}, p);
  std::vector<std::string> texts{"a cat", "a cat", "a photo of the dog"};
  std::vector<double> scores = scorer->score(images, texts, p);
  ASSERT_EQ(scores.size(), 3u);
  for (double s : scores) {
    EXPECT_TRUE(std::isfinite(s));
    EXPECT_LE(std::fabs(s), 100.0 + 1e-6);
  }
  EXPECT_NE(scores[0], scores[1]);  // different images, same text
  for (size_t i = 0; i < images.size(); ++i) {
    std::vector<double> alone = scorer->score({images[i]}, {texts[i]}, p);
    ASSERT_EQ(alone.size(), 1u);
    // float32 on the CPU; float16 features on CUDA round to ~1e-3 of a cosine.
    EXPECT_NEAR(alone[0], scores[i], testing::test_device() == "cpu" ? 1e-4 : 0.2) << "item " << i;
  }
  // Images of two sizes in one call (preprocessed one by one, not as one
  // batch) score as they do alone.
  schemas::RenderParams wide = p;
  wide.width = 96;
  std::vector<Image> mixed{images[0], renderer->render({{"a cat", 4}}, wide)[0]};
  std::vector<double> mixed_scores = scorer->score(mixed, {"a cat", "a cat"}, p);
  EXPECT_NEAR(mixed_scores[0], scores[0], testing::test_device() == "cpu" ? 1e-4 : 0.2);
  EXPECT_NEAR(mixed_scores[1], scorer->score({mixed[1]}, {"a cat"}, p)[0], testing::test_device() == "cpu" ? 1e-4 : 0.2);
  // Same image, another text: another score.
  EXPECT_NE(scorer->score({images[0]}, {"the dog"}, p)[0], scores[0]);
  EXPECT_TRUE(scorer->score({}, {}, p).empty());
  EXPECT_THROW(scorer->score(images, {"a cat"}, p), std::invalid_argument);
}

}  // namespace
}  // namespace bigpe::models
