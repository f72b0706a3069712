// Refusals and lost subjects in generated prompts.
#include "scheduler/agents/prompt_checks.h"

#include <gtest/gtest.h>

namespace bigpe {
namespace {

TEST(PromptChecks, RefusalsAndTalkAboutTheModelAreRecognized) {
  EXPECT_TRUE(looks_like_refusal("make it nicer * I am an AI language model and cannot see images."));
  EXPECT_TRUE(looks_like_refusal("I'm sorry, but I can't help with that"));
  EXPECT_TRUE(looks_like_refusal("As an AI, I"));
  EXPECT_FALSE(looks_like_refusal("A cactus at dawn, volumetric light, 35mm"));
  EXPECT_FALSE(looks_like_refusal("sorry-looking clown, oil painting"));
}

TEST(PromptChecks, TheSubjectIsKeptWhenAWordOfTheQueryRemains) {
  EXPECT_TRUE(keeps_subject("a tall CACTUS in the desert", "A cactus"));
  EXPECT_FALSE(keeps_subject("a misty harbour at night", "A cactus"));
  EXPECT_TRUE(keeps_subject("anything at all", "a b"));  // no word of three letters
  EXPECT_TRUE(keeps_subject("Café au lait, still life", "café"));
}

}  // namespace
}  // namespace bigpe
