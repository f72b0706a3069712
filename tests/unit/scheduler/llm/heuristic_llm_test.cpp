// The offline sim-v1 agents (scheduler/llm/heuristic/heuristic_llm.h), read through
// the same message formats the real agents send.
#include "scheduler/llm/heuristic/heuristic_llm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backends/sim/sim_text.h"
#include "scheduler/llm/heuristic/instruction_directives.h"
#include "scheduler/run/llm_factory.h"

namespace bigpe {
namespace {

const char* const kI0 = "This is the original prompt that you need to carefully refine";

std::shared_ptr<const sim::Vocabulary> default_vocab() {
  static auto v = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(sim::default_vocabulary_path()));
  return v;
}

ChatRequest request(AgentRole role, const std::string& user, int sample_index = 0) {
  ChatRequest r;
  r.role = role;
  r.model = "heuristic";
  r.messages = {{"system", "You are a helpful agent."}, {"user", user}};
  r.sample_index = sample_index;
  return r;
}

std::string generate(HeuristicLlm& llm, const std::string& instruction, const std::string& query,
                     int sample_index) {
  return llm
      .complete(request(AgentRole::kGenerator,
                        instruction + ", Prompt or subject to refine : " + query, sample_index))
      .text;
}

std::string strip_prefix(const std::string& s) {
  for (const char* p : {"Refined Prompt: ", "Enhanced Prompt: "})
    if (s.rfind(p, 0) == 0) return s.substr(std::string(p).size());
  return s;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// --- Generator -------------------------------------------------------------

TEST(HeuristicGenerator, IsDeterministicPerSeedAndSampleIndex) {
  HeuristicLlm a(default_vocab(), {});
  HeuristicLlm b(default_vocab(), {});
  HeuristicOptions other_seed;
  other_seed.seed = 7;
  HeuristicLlm c(default_vocab(), other_seed);
  std::set<std::string> across_samples;
  int differ_by_seed = 0;
  for (int i = 0; i < 20; ++i) {
    std::string out = generate(a, kI0, "A cactus", i);
    EXPECT_EQ(out, generate(b, kI0, "A cactus", i));
    EXPECT_EQ(out, generate(a, kI0, "A cactus", i));
    across_samples.insert(out);
    differ_by_seed += out != generate(c, kI0, "A cactus", i);
  }
  EXPECT_EQ(across_samples.size(), 20u);
  EXPECT_EQ(differ_by_seed, 20);
}

TEST(HeuristicGenerator, WritesQueryFillerAndVocabularyModifiers) {
  HeuristicLlm llm(default_vocab(), {});
  for (int i = 0; i < 30; ++i) {
    std::string out = strip_prefix(generate(llm, kI0, "A red lighthouse", i));
    // X first (unless drifted), then filler, then ", "-separated modifiers.
    std::size_t comma = out.find(", ");
    ASSERT_NE(comma, std::string::npos) << out;
    std::string head = out.substr(0, comma);
    EXPECT_GE(sim::words(head).size(), 3u + 13u) << out;  // "a red lighthouse" + filler >= 13
    std::string rest = out.substr(comma + 2);
    std::size_t start = 0;
    int mods = 0;
    while (start <= rest.size()) {
      std::size_t end = rest.find(", ", start);
      if (end == std::string::npos) end = rest.size();
      EXPECT_TRUE(default_vocab()->contains(rest.substr(start, end - start))) << out;
      ++mods;
      start = end + 2;
    }
    EXPECT_GE(mods, 2);  // 3 - 1
    EXPECT_LE(mods, 4);  // 3 + 1
  }
}

TEST(HeuristicGenerator, InstructionsShareRandomNumbersOnTheSameQuery) {
  HeuristicLlm llm(default_vocab(), {});
  // Same keyword counts, different wording: identical outputs.
  const std::string plain = "Refine the prompt for a text-to-image model";
  // An Add phrase outside the vocabulary does not disturb the random
  // modifiers, so the output differs only by the inserted phrase.
  const std::string with_add = plain + "\nAdd: made of glass";
  int kept = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string base = generate(llm, kI0, "A cactus", i);
    EXPECT_EQ(generate(llm, plain, "A cactus", i), base);
    const std::string added = generate(llm, with_add, "A cactus", i);
    if (added != base) {
      ++kept;
      std::string removed = added;
      removed.erase(removed.find(", made of glass"), std::string(", made of glass").size());
      EXPECT_EQ(removed, base);
    }
  }
  EXPECT_GT(kept, 30);
}

TEST(HeuristicGenerator, KeepsAddPhrasesAboutNinetyPercentOfTheTime) {
  HeuristicLlm llm(default_vocab(), {});
  const std::string instr = std::string(kI0) + "\nAdd: highly detailed; oil painting";
  int present = 0, total = 0;
  const std::vector<std::string> queries = {"A cactus", "Farm with windmill", "A lava flow",
                                            "City with parade"};
  for (const auto& q : queries)
    for (int i = 0; i < 100; ++i) {
      std::string out = generate(llm, instr, q, i);
      present += contains(out, "highly detailed");
      present += contains(out, "oil painting");
      total += 2;
    }
  const double share = static_cast<double>(present) / total;
  EXPECT_GT(share, 0.85);
  EXPECT_LT(share, 0.95);
}

TEST(HeuristicGenerator, NeverUsesAvoidedPhrasesAsRandomModifiers) {
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases(
      {"oil painting", "highly detailed", "octane render", "bokeh", "film grain"}));
  HeuristicLlm llm(vocab, {});
  const std::string instr = "Refine it\nAvoid: oil painting; highly detailed; octane render\nAdd: bokeh";
  for (int i = 0; i < 50; ++i) {
    std::string out = generate(llm, instr, "A cactus", i);
    EXPECT_FALSE(contains(out, "oil painting")) << out;
    EXPECT_FALSE(contains(out, "highly detailed")) << out;
    EXPECT_FALSE(contains(out, "octane render")) << out;
    // bokeh appears at most once: random modifiers never repeat Add phrases.
    std::size_t first = out.find("bokeh");
    EXPECT_TRUE(first == std::string::npos || out.find("bokeh", first + 1) == std::string::npos) << out;
  }
}

TEST(HeuristicGenerator, RespectsKeepUnderTrimmingFillerThenModifiersThenAdds) {
  HeuristicLlm llm(default_vocab(), {});
  const std::string instr = std::string(kI0) + "\nAdd: oil painting; sharp focus\nKeep under 8 words";
  int adds_seen = 0;
  for (int i = 0; i < 60; ++i) {
    std::string out = strip_prefix(generate(llm, instr, "A cactus", i));
    EXPECT_LE(sim::words(out).size(), 8u) << out;
    adds_seen += contains(out, "oil painting");
    // "a cactus" (2) + both adds (4) fit in 8: random modifiers go before adds.
  }
  EXPECT_GT(adds_seen, 45);
  // A tiny limit keeps the query alone.
  std::string tiny = strip_prefix(generate(llm, std::string(kI0) + "\nKeep under 1 words", "A cactus", 3));
  EXPECT_EQ(sim::words(tiny).size(), 2u) << tiny;
}

TEST(HeuristicGenerator, KeywordsLengthenOrShortenTheFiller) {
  HeuristicLlm llm(default_vocab(), {});
  auto mean_words = [&](const std::string& instr) {
    double sum = 0;
    for (int i = 0; i < 40; ++i) sum += sim::words(strip_prefix(generate(llm, instr, "A cactus", i))).size();
    return sum / 40;
  };
  const double base = mean_words(kI0);
  EXPECT_GT(mean_words("Write a vivid, richly detailed description"), base + 10);
  EXPECT_LT(mean_words("Be concise and brief"), base - 8);
}

TEST(HeuristicGenerator, SometimesPrefixesRefinedOrEnhancedPrompt) {
  HeuristicLlm llm(default_vocab(), {});
  int refined = 0, enhanced = 0;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    std::string out = generate(llm, kI0, "A gothic cathedral", i);
    refined += out.rfind("Refined Prompt: ", 0) == 0;
    enhanced += out.rfind("Enhanced Prompt: ", 0) == 0;
  }
  EXPECT_GT(refined, 0);
  EXPECT_GT(enhanced, 0);
  EXPECT_GT(refined + enhanced, n / 5);      // 25% expected
  EXPECT_LT(refined + enhanced, n * 3 / 10);
}

TEST(HeuristicGenerator, RejectsAMessageWithoutTheQuerySeparator) {
  HeuristicLlm llm(default_vocab(), {});
  try {
    llm.complete(request(AgentRole::kGenerator, "Refine: A cactus"));
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_TRUE(contains(e.what(), "heuristic generator")) << e.what();
    EXPECT_TRUE(contains(e.what(), "Prompt or subject to refine")) << e.what();
  }
}

// --- Gradient calculator ---------------------------------------------------

std::string gradient_message(const std::string& instruction) {
  return "Compare the low-score prompts with the high-score prompts.\n"
         "Instruction: <<<" + instruction + ">>>\n"
         "low_score_object1: A cactus, low_score_generated_prompt: A cactus in a pot, cinematic "
         "lighting, octane render, score: 26.100\n"
         "low_score_object2: Farm with windmill, low_score_generated_prompt: Farm with windmill at "
         "dawn, cinematic lighting, score: 26.367\n"
         "high_score_object1: A cactus, high_score_prompt: A cactus, highly detailed, octane "
         "render, sharp focus, score: 28.540\n"
         "high_score_object2: Farm with windmill, high_score_prompt: Farm with windmill, highly "
         "detailed, oil painting, score: 27.271\n"
         "Answer with lines 'Inference k: ...' and 'Improvement k: ...'.";
}

std::vector<std::string> improvements(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = text.find("Improvement ", at)) != std::string::npos) {
    std::size_t colon = text.find(": ", at);
    std::size_t end = text.find('\n', colon);
    out.push_back(text.substr(colon + 2, end - colon - 2));
    at = end;
  }
  return out;
}

TEST(HeuristicGradient, NamesWinnerOnlyPhrasesWhenFullySpecific) {
  HeuristicOptions opts;
  opts.gc_specific = 1.0;
  HeuristicLlm llm(default_vocab(), opts);
  int add_items = 0;
  for (int i = 0; i < 20; ++i) {
    std::string out = llm.complete(request(AgentRole::kGradient, gradient_message(kI0), i)).text;
    std::vector<std::string> impr = improvements(out);
    ASSERT_FALSE(impr.empty()) << out;
    EXPECT_LE(impr.size(), 4u);
    // highly detailed: +2.44 (both pairs); sharp focus +2.44, oil painting +0.90.
    ASSERT_EQ(impr[0].rfind("Add modifiers such as \"highly detailed\", ", 0), 0u) << out;
    EXPECT_TRUE(contains(impr[0], "\"sharp focus\"")) << out;
    EXPECT_FALSE(contains(impr[0], "octane render")) << out;  // both sides used it
    EXPECT_FALSE(contains(impr[0], "cinematic lighting")) << out;
    for (const auto& s : impr) {
      if (s.rfind("Avoid", 0) == 0) {
        EXPECT_EQ(s, "Avoid modifiers such as \"cinematic lighting\".");
      }
    }
    ++add_items;
  }
  EXPECT_EQ(add_items, 20);
}

TEST(HeuristicGradient, GivesOnlyGenericAdviceWhenNotSpecific) {
  HeuristicOptions opts;
  opts.gc_specific = 0.0;
  HeuristicLlm llm(default_vocab(), opts);
  for (int i = 0; i < 20; ++i) {
    std::string out = llm.complete(request(AgentRole::kGradient, gradient_message(kI0), i)).text;
    std::vector<std::string> impr = improvements(out);
    ASSERT_EQ(impr.size(), 1u) << out;
    EXPECT_FALSE(contains(out, "\"")) << out;
    EXPECT_FALSE(contains(out, "Keep the prompt under")) << out;
    EXPECT_TRUE(contains(out, "Inference 1: ")) << out;
  }
}

TEST(HeuristicGradient, AsksForShorterPromptsWhenTheLoserIsLong) {
  HeuristicOptions opts;
  opts.gc_specific = 1.0;
  HeuristicLlm llm(default_vocab(), opts);
  const std::string msg =
      "Instruction: <<<" + std::string(kI0) + ">>>\n"
      "low_score_object1: A cactus, low_score_generated_prompt: A cactus standing in the middle "
      "of a quiet open place under a wide pale sky with a gentle breeze moving across the ground, "
      "score: 25.000\n"
      "high_score_object1: A cactus, high_score_prompt: A cactus in the desert at noon, score: 27.000\n";
  std::string out = llm.complete(request(AgentRole::kGradient, msg)).text;
  // Winner has 8 words: N = 1.2 * 8 = 9.6 -> 10.
  EXPECT_TRUE(contains(out, "Improvement 1: Keep the prompt under 10 words.")) << out;
}

TEST(HeuristicGradient, RejectsUnpairedOrMalformedContrastLines) {
  HeuristicLlm llm(default_vocab(), {});
  const std::string head = "Instruction: <<<x>>>\n";
  auto error = [&](const std::string& msg) {
    try {
      llm.complete(request(AgentRole::kGradient, msg));
    } catch (const LlmError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_TRUE(contains(error(head + "low_score_object1: q, low_score_generated_prompt: p, score: 1.0\n"),
                       "low_score_object1 has no high_score_object1"));
  EXPECT_TRUE(contains(error(head + "low_score_object1: q, low_score_generated_prompt: p, score: abc\n"
                                    "high_score_object1: q, high_score_prompt: p, score: 2.0\n"),
                       "unreadable score 'abc'"));
  EXPECT_TRUE(contains(error("low_score_object1: q, low_score_generated_prompt: p, score: 1\n"),
                       "'Instruction: <<<'"));
}

// --- Instruction modifier --------------------------------------------------

std::string modify(HeuristicLlm& llm, const std::string& improvement, const std::string& instruction,
                   int sample_index = 0) {
  return llm
      .complete(request(AgentRole::kModifier,
                        "Improvement suggestion: <<<" + improvement + ">>>\nCurrent instruction: <<<" +
                            instruction + ">>>\nOutput only the new general instruction.",
                        sample_index))
      .text;
}

// Edits without the lossy drop, so each test sees exactly its edit.
HeuristicOptions exact() {
  HeuristicOptions o;
  o.modifier_drop = 0.0;
  return o;
}

TEST(HeuristicModifier, MovesQuotedPhrasesBetweenAddAndAvoid) {
  HeuristicLlm llm(default_vocab(), exact());
  Directives d = parse_directives(modify(
      llm, "Add modifiers such as \"Highly Detailed\", \"oil painting\" to every prompt.",
      std::string(kI0) + "\nAdd: bokeh\nAvoid: oil painting; blurry"));
  EXPECT_EQ(d.free_text, kI0);
  EXPECT_EQ(d.add, (std::vector<std::string>{"bokeh", "highly detailed", "oil painting"}));
  EXPECT_EQ(d.avoid, (std::vector<std::string>{"blurry"}));

  d = parse_directives(modify(llm, "Avoid modifiers such as \"bokeh\".", format_instruction(d)));
  EXPECT_EQ(d.add, (std::vector<std::string>{"highly detailed", "oil painting"}));
  EXPECT_EQ(d.avoid, (std::vector<std::string>{"blurry", "bokeh"}));
}

TEST(HeuristicModifier, CapsAddAtSixAndAvoidAtEight) {
  HeuristicLlm llm(default_vocab(), exact());
  Directives start;
  start.free_text = "Base";
  start.add = {"a1", "a2", "a3", "a4", "a5", "a6"};
  start.avoid = {"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"};
  Directives d = parse_directives(
      modify(llm, "Add modifiers such as \"n1\", \"n2\". Avoid modifiers such as \"n3\".",
             format_instruction(start)));
  EXPECT_EQ(d.add, (std::vector<std::string>{"a3", "a4", "a5", "a6", "n1", "n2"}));
  EXPECT_EQ(d.avoid, (std::vector<std::string>{"v2", "v3", "v4", "v5", "v6", "v7", "v8", "n3"}));
}

TEST(HeuristicModifier, SetsAndRelaxesKeepUnder) {
  HeuristicLlm llm(default_vocab(), {});
  Directives d = parse_directives(modify(llm, "Keep the prompt under 20 words.", kI0));
  EXPECT_EQ(d.keep_under, 20);
  d = parse_directives(modify(llm, "Describe the scene in more vivid detail.", format_instruction(d)));
  EXPECT_EQ(d.keep_under, 30);
  EXPECT_EQ(d.free_text, kI0);  // directive edits add no prose
}

TEST(HeuristicModifier, AppendsGenericAdviceKeepingTheLastThree) {
  HeuristicLlm llm(default_vocab(), {});
  std::string instr = kI0;
  for (const char* advice : {"Advice one.", "Advice two.", "Advice three.", "Advice four."})
    instr = modify(llm, advice, instr);
  Directives d = parse_directives(instr);
  EXPECT_EQ(d.free_text, std::string(kI0) + "\nAdvice two.\nAdvice three.\nAdvice four.");
}

TEST(HeuristicModifier, SometimesDropsOneAddItem) {
  HeuristicLlm llm(default_vocab(), {});
  const std::string instr = "Base\nAdd: a1; a2; a3";
  int dropped = 0;
  for (int i = 0; i < 200; ++i) {
    Directives d = parse_directives(modify(llm, "Be bolder.", instr, i));
    ASSERT_GE(d.add.size(), 2u);
    dropped += d.add.size() == 2;
  }
  EXPECT_GT(dropped, 5);   // p = 0.1 of 200
  EXPECT_LT(dropped, 40);
}

// --- Fallback --------------------------------------------------------------

TEST(HeuristicFallback, ProposesThreeMoreSpecificChildren) {
  HeuristicLlm llm(default_vocab(), {});
  std::string out = llm.complete(request(AgentRole::kFallback,
                                         "Current instruction: <<<" + std::string(kI0) +
                                             ">>>\nGive 3 new instructions, each starting "
                                             "'Instruction k: '."))
                        .text;
  for (int k = 1; k <= 3; ++k) {
    const std::string tag = "Instruction " + std::to_string(k) + ": ";
    std::size_t at = out.find(tag);
    ASSERT_NE(at, std::string::npos) << out;
    std::size_t end = out.find("\nInstruction ", at);
    Directives d = parse_directives(out.substr(at + tag.size(), end == std::string::npos ? end : end - at - tag.size()));
    EXPECT_EQ(d.free_text, std::string(kI0) + "\nMake the prompt more specific and diverse.") << out;
    ASSERT_EQ(d.add.size(), 1u) << out;
    EXPECT_TRUE(default_vocab()->contains(d.add[0]));
  }
  EXPECT_EQ(out.find("Instruction 4"), std::string::npos);
}

TEST(HeuristicFallback, QuirkReturnsOneEmptyInstruction) {
  HeuristicOptions opts;
  opts.fallback_quirk = true;
  HeuristicLlm llm(default_vocab(), opts);
  std::string out = llm.complete(request(AgentRole::kFallback, "Current instruction: <<<x>>>")).text;
  EXPECT_EQ(out, "Instruction 1:\n");
}

// --- Directives --------------------------------------------------------------

TEST(InstructionDirectives, ParseAndFormatRoundTrip) {
  Directives d = parse_directives(
      "Refine it well.\n  Mention the light.  \nadd: a;  b ;;\nAVOID: c\nKeep under 25 words.\nAdd: d");
  EXPECT_EQ(d.free_text, "Refine it well.\nMention the light.");
  EXPECT_EQ(d.add, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(d.avoid, (std::vector<std::string>{"c"}));
  EXPECT_EQ(d.keep_under, 25);
  EXPECT_EQ(parse_directives(format_instruction(d)), d);
  EXPECT_EQ(format_instruction(d),
            "Refine it well.\nMention the light.\nAdd: a; b; d\nAvoid: c\nKeep under 25 words");
  // Malformed directives stay free text.
  EXPECT_EQ(parse_directives("Keep under many words").free_text, "Keep under many words");
  EXPECT_FALSE(parse_directives("Keep under 0 words").keep_under.has_value());
}

TEST(InstructionDirectives, FormatRefusesPhrasesThatWouldNotReadBack) {
  Directives d;
  d.add = {"a;b"};
  try {
    format_instruction(d);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "'a;b'")) << e.what();
  }
}

// --- Construction ------------------------------------------------------------

TEST(HeuristicLlm, ModelIdNamesEveryOptionThatChangesAnswers) {
  HeuristicOptions a, b;
  b.gc_specific = 0.25;
  EXPECT_NE(HeuristicLlm(default_vocab(), a).model_id(), HeuristicLlm(default_vocab(), b).model_id());
  auto small = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases({"bokeh"}));
  EXPECT_NE(HeuristicLlm(default_vocab(), a).model_id(), HeuristicLlm(small, a).model_id());
  EXPECT_EQ(HeuristicLlm(default_vocab(), a).model_id(), HeuristicLlm(default_vocab(), a).model_id());
  b.gc_specific = 1.5;
  EXPECT_THROW(HeuristicLlm(default_vocab(), b), std::invalid_argument);
}

TEST(LlmFactory, BuildsBackendsByName) {
  LlmSettings s;
  EXPECT_EQ(make_llm_client(s)->name(), "heuristic");
  s.backend = "openai";
  s.openai.base_url = "http://127.0.0.1:1";
  s.openai.model = "m";
  EXPECT_EQ(make_llm_client(s)->name(), "openai");
  s.backend = "gpt";
  try {
    make_llm_client(s);
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_TRUE(contains(e.what(), "'gpt'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "heuristic, openai")) << e.what();
  }
  s.backend = "heuristic";
  s.vocabulary_path = "/nonexistent/vocab.txt";
  try {
    make_llm_client(s);
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/vocab.txt")) << e.what();
  }
}

}  // namespace
}  // namespace bigpe
