// The sim renderer: deterministic images per (prompt, seed), fault
// injection, and scoring through rendered images.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "common/content_hash.h"
#include "backends/sim/sim_vocabulary.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"

namespace bigpe {
namespace {

TEST(SimRenderer, ImageIsDeterministicPerPromptAndSeed) {
  SimRenderer a, b;
  const schemas::RenderParams params;
  const auto x = a.render({{"A cactus", 1}, {"A cactus", 2}, {"A dog", 1}}, params);
  const auto y = b.render({{"A cactus", 1}}, params);
  ASSERT_EQ(x.size(), 3u);
  EXPECT_EQ(x[0].rgb, y[0].rgb);
  EXPECT_NE(x[0].rgb, x[1].rgb);
  EXPECT_NE(x[0].rgb, x[2].rgb);
}

TEST(SimRenderer, ImageHasTheConfiguredSizeAndKeepsPromptAndSeed) {
  SimRenderer r(SimRendererOptions{0, 16});
  const auto img = r.render({{"A cactus, bokeh", -7}}, schemas::RenderParams{});
  ASSERT_EQ(img.size(), 1u);
  EXPECT_EQ(img[0].width, 16);
  EXPECT_EQ(img[0].height, 16);
  EXPECT_EQ(img[0].rgb.size(), 16u * 16u * 3u);
  EXPECT_EQ(img[0].prompt, "A cactus, bokeh");
  EXPECT_EQ(img[0].seed, -7);
  EXPECT_EQ(r.name(), "sim");
}

TEST(SimRenderer, ImageIsNotFlat) {
  const auto img = SimRenderer().draw("A cactus", 0);
  std::size_t differing = 0;
  for (std::size_t i = 3; i < img.rgb.size(); ++i) differing += img.rgb[i] != img.rgb[i % 3];
  EXPECT_GT(differing, img.rgb.size() / 4);
}

// The picture's definition, pixel by pixel: a vertical gradient between two
// hashed colours, diagonal stripes tinted towards a third, low bits from
// the hash. draw() computes it with running counters instead of divisions;
// this pins that it still draws exactly this.
std::vector<uint8_t> defined_pixels(const std::string& prompt, int64_t seed, int n) {
  const auto h = sha256(prompt + "|" + std::to_string(seed));
  const int period = 4 + h[9] % 13, slope = 1 + h[10] % 3;
  std::vector<uint8_t> rgb;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int ch = 0; ch < 3; ++ch) {
        const int base = (h[ch] * (n - 1 - y) + h[3 + ch] * y) / (n > 1 ? n - 1 : 1);
        const bool stripe = ((x + slope * y) / period) % 2 == 0;
        const int v = stripe ? (base + h[6 + ch]) / 2 : base;
        rgb.push_back(static_cast<uint8_t>(v ^ (h[11 + (x + y + ch) % 21] & 0x07)));
      }
  return rgb;
}

TEST(SimRenderer, DrawsExactlyTheDefinedPicture) {
  for (int n : {1, 2, 7, 8, 23, 64})
    for (const char* prompt : {"A cactus", "a red fox, oil painting", ""})
      for (int64_t seed : {0, 1, -5, 1234567}) {
        const Image img = SimRenderer(SimRendererOptions{0, n}).draw(prompt, seed);
        EXPECT_EQ(img.rgb, defined_pixels(prompt, seed, n)) << "size " << n << ", " << prompt << ", seed " << seed;
      }
}

TEST(SimRenderer, RejectsBadOptions) {
  EXPECT_THROW(SimRenderer(SimRendererOptions{0, 0}), std::invalid_argument);
  EXPECT_THROW(SimRenderer(SimRendererOptions{-1, 8}), std::invalid_argument);
}

TEST(SimRenderer, FaultThrowRaisesARuntimeError) {
  SimRenderer r;
  schemas::RenderParams params;
  params.options["sim.fault"] = "throw";
  try {
    r.render({{"x", 0}}, params);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "sim.fault=throw");
  }
  params.options["sim.fault"] = "explode";
  try {
    r.render({{"x", 0}}, params);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("explode"), std::string::npos) << e.what();
  }
}

TEST(SimRendererDeathTest, FaultAbortAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SimRenderer r;
  schemas::RenderParams params;
  params.options["sim.fault"] = "abort";
  EXPECT_DEATH(r.render({{"x", 0}}, params), "");
}

TEST(SimRenderer, ScoringRenderedImagesEqualsScoringThePrompts) {
  auto vocab = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(sim::default_vocabulary_path()));
  SimScorer scorer(vocab);
  SimRenderer renderer;
  schemas::RenderParams params;
  params.options["sim.taste_seed"] = "2";
  const std::vector<RenderRequest> batch = {
      {"A cactus, highly detailed, octane render", 3}, {"A red fox, watercolor", 4}};
  const std::vector<std::string> queries = {"A cactus", "A red fox"};
  const auto scores = scorer.score(renderer.render(batch, params), queries, params);
  ASSERT_EQ(scores.size(), 2u);
  for (std::size_t i = 0; i < batch.size(); ++i)
    EXPECT_DOUBLE_EQ(scores[i],
                     scorer.score_prompt(batch[i].prompt, queries[i], batch[i].seed, 2, {}));
}

}  // namespace
}  // namespace bigpe
