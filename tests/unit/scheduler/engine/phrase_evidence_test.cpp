// Phrase evidence for the budget loop: the prompt's phrases, the pooled
// within-cell effect estimates, and the predicted gain of a child.
#include <gtest/gtest.h>

#include <cmath>

#include "scheduler/engine/phrase_evidence.h"

namespace bigpe::engine {
namespace {

TEST(PromptPhrases, DropsTheSubjectSegmentNormalizesAndDeduplicates) {
  EXPECT_EQ(prompt_phrases("A cactus standing in a field, Octane  Render, highly detailed,, octane render"),
            (std::vector<std::string>{"octane render", "highly detailed"}));
  EXPECT_TRUE(prompt_phrases("A cactus with no phrases").empty());
}

TEST(PhraseEffects, RecoverAPlantedEffectDespiteLargeCellOffsets) {
  // Every cell has its own large offset; on each cell one render carries
  // "good" (+1), one carries "bad" (-1) and one carries neither.
  std::vector<PhraseObservation> obs;
  for (int c = 0; c < 40; ++c) {
    const double offset = 10.0 * ((c * 7) % 5);
    obs.push_back({c, {"good", "shared"}, offset + 1.0});
    obs.push_back({c, {"bad", "shared"}, offset - 1.0});
    obs.push_back({c, {"shared"}, offset});
  }
  const auto beta = fit_phrase_effects(obs, 1.0, 60);
  EXPECT_NEAR(beta.at("good"), 1.0 * 40 / 41, 0.05);  // ridge shrinks a little
  EXPECT_NEAR(beta.at("bad"), -1.0 * 40 / 41, 0.05);
  // "shared" is on every render of its cells, so it is not identified
  // (only the ridge pins it, slowly): it cancels in every within-cell
  // comparison the loop makes, and its estimate stays small.
  EXPECT_LT(std::abs(beta.at("shared")), 0.5);
}

TEST(PhraseEffects, ACellWithOneRenderSaysNothing) {
  const auto beta = fit_phrase_effects({{0, {"lonely"}, 100.0}}, 1.0);
  EXPECT_NEAR(beta.at("lonely"), 0.0, 1e-9);
}

TEST(PredictedGain, ChargesPhrasesGainedMinusPhrasesLostPerCell) {
  const std::map<std::string, double> effects = {{"a", 1.0}, {"b", 0.5}, {"c", -0.25}};
  // Cell 0: the child gains "a" and loses "b"; cell 1: it gains "c".
  const double g = predicted_gain({{"a", "x"}, {"b", "c"}}, {{"b", "x"}, {"b"}}, effects);
  EXPECT_NEAR(g, ((1.0 - 0.5) + (-0.25)) / 2, 1e-12);
  EXPECT_EQ(predicted_gain({}, {{"a"}}, effects), 0.0);
}

}  // namespace
}  // namespace bigpe::engine
