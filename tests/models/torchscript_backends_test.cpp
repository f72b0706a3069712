// End to end on the CPU (or $BIGPE_TEST_DEVICE) with the tiny TorchScript models of
// scripts/make_tiny_models.py: the torchscript-sd renderer for each family
// (sd1, sd2-v, sdxl, sdxl-turbo) and the scorers (hpsv2, pickscore,
// aesthetic). Checks what must hold
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

// float32 on the CPU; float16 features on CUDA round to ~1e-3 of a cosine.
double score_tolerance(double factor) { return testing::test_device() == "cpu" ? 1e-6 * factor : 2e-3 * factor; }

// What any scorer must do: one finite score per image, bounded by `bound`,
// the same for an image alone as in a batch, and for a batch of images of
// two sizes (preprocessed one by one) as alone; equal counts of images and
// texts; nothing for nothing.
void expect_scores_batch_invariant(Scorer& scorer, Renderer& renderer, const std::vector<Image>& images,
                                   const std::vector<std::string>& texts, double bound, double tolerance) {
  const schemas::RenderParams p;  // scorers ignore the render params
  std::vector<double> scores = scorer.score(images, texts, p);
  ASSERT_EQ(scores.size(), images.size());
  for (double s : scores) {
    EXPECT_TRUE(std::isfinite(s));
    EXPECT_LE(std::fabs(s), bound);
  }
  EXPECT_NE(scores[0], scores[1]);  // different images, same text
  for (size_t i = 0; i < images.size(); ++i) {
    std::vector<double> alone = scorer.score({images[i]}, {texts[i]}, p);
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_NEAR(alone[0], scores[i], tolerance) << "item " << i;
  }
  schemas::RenderParams wide;
  wide.steps = 2;
  wide.guidance = 0;
  wide.sampler = "euler";
  wide.width = 96;
  wide.height = 64;
  std::vector<Image> mixed{images[0], renderer.render({{"a cat", 4}}, wide)[0]};
  std::vector<double> mixed_scores = scorer.score(mixed, {texts[0], texts[0]}, p);
  EXPECT_NEAR(mixed_scores[0], scores[0], tolerance);
  EXPECT_NEAR(mixed_scores[1], scorer.score({mixed[1]}, {texts[0]}, p)[0], tolerance);
  std::vector<double> again = scorer.score(images, texts, p);
  EXPECT_EQ(again, scores);  // deterministic
  EXPECT_TRUE(scorer.score({}, {}, p).empty());
  EXPECT_THROW(scorer.score(images, {texts[0]}, p), std::invalid_argument);
}

TEST_F(TinyModels, Hpsv2ScoresAreCosinesTimes100AndBatchInvariant) {
  auto renderer = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  auto scorer = make_hpsv2_scorer(dir("hpsv2"), testing::test_device());
  EXPECT_EQ(scorer->name(), "hpsv2");
  schemas::RenderParams p = params(2, 0.0);
  std::vector<Image> images = renderer->render({{"a cat", 1}, {"a dog", 2}, {"the art", 3}}, p);
  std::vector<std::string> texts{"a cat", "a cat", "a photo of the dog"};
  expect_scores_batch_invariant(*scorer, *renderer, images, texts, 100.0 + 1e-6, score_tolerance(100));
  // Same image, another text: another score.
  EXPECT_NE(scorer->score({images[0]}, {"the dog"}, p)[0], scorer->score({images[0]}, {"a cat"}, p)[0]);
}

TEST_F(TinyModels, PickscoreScoresAreExpLogitScaleTimesCosinesAndBatchInvariant) {
  auto renderer = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  auto scorer = make_torch_scorer("pickscore", dir("pickscore"), testing::test_device());
  EXPECT_EQ(scorer->name(), "pickscore");
  EXPECT_EQ(scorer->identity().rfind("pickscore-v1;device=", 0), 0u) << scorer->identity();
  EXPECT_NE(scorer->identity().find(";dtype=image:"), std::string::npos) << scorer->identity();
  EXPECT_NE(scorer->identity().find(",text:"), std::string::npos) << scorer->identity();
  schemas::RenderParams p = params(2, 0.0);
  std::vector<Image> images = renderer->render({{"a cat", 1}, {"a dog", 2}, {"the art", 3}}, p);
  std::vector<std::string> texts{"a cat", "a cat", "a photo of the dog"};
  const double factor = std::exp(3.0);  // the tiny manifest's logit_scale
  expect_scores_batch_invariant(*scorer, *renderer, images, texts, factor + 1e-6, score_tolerance(factor));
  EXPECT_NE(scorer->score({images[0]}, {"the dog"}, p)[0], scorer->score({images[0]}, {"a cat"}, p)[0]);
}

TEST_F(TinyModels, AestheticScoresTheImageAloneAndIsBatchInvariant) {
  auto renderer = make_torchscript_sd_renderer(dir("sd1"), testing::test_device());
  auto scorer = make_torch_scorer("aesthetic", dir("aesthetic"), testing::test_device());
  EXPECT_EQ(scorer->name(), "aesthetic");
  EXPECT_EQ(scorer->identity().rfind("aesthetic-v1;device=", 0), 0u) << scorer->identity();
  EXPECT_NE(scorer->identity().find(",head:float32"), std::string::npos) << scorer->identity();
  schemas::RenderParams p = params(2, 0.0);
  std::vector<Image> images = renderer->render({{"a cat", 1}, {"a dog", 2}, {"the art", 3}}, p);
  std::vector<std::string> texts{"a cat", "a cat", "a photo of the dog"};
  // The tiny head's bias is 5 and its weights are of order 1 on a unit vector.
  expect_scores_batch_invariant(*scorer, *renderer, images, texts, 100.0, score_tolerance(10));
  // The text is ignored.
  EXPECT_EQ(scorer->score({images[0]}, {"the dog"}, p), scorer->score({images[0]}, {"a cat"}, p));
}

TEST_F(TinyModels, UnknownTorchScorerNamesTheKnownOnes) {
  try {
    make_torch_scorer("imagereward", dir("hpsv2"), testing::test_device());
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown libtorch scorer 'imagereward' (expected one of hpsv2, pickscore, "
                                         "aesthetic)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace bigpe::models
