// The agents against a scripted LLM that replies the way real models do:
// labels, quotes, bold, numbering, preambles and commentary around the
// answer, or no usable answer at all.
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

#include "scheduler/agents/generator.h"
#include "scheduler/agents/gradient_calculator.h"
#include "scheduler/agents/instruction_modifier.h"
#include "scheduler/agents/output_parsers.h"
#include "scheduler/agents/prompt_templates.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"

namespace bigpe {
namespace {

const char* kI0 = "This is the original prompt that you need to carefully refine";

// Replies from a queue, in order, and records every request.
class ScriptedLlm : public LlmClient {
 public:
  explicit ScriptedLlm(std::deque<std::string> replies) : replies_(std::move(replies)) {}

  ChatResponse complete(const ChatRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(request);
    if (replies_.empty()) throw LlmError("scripted: no reply left");
    ChatResponse r;
    r.text = replies_.front();
    replies_.pop_front();
    return r;
  }
  std::string name() const override { return "scripted"; }

  std::vector<ChatRequest> requests;

 private:
  std::mutex mu_;
  std::deque<std::string> replies_;
};

const std::string& user_of(const ChatRequest& r) { return r.messages.at(1).content; }
const std::string& system_of(const ChatRequest& r) { return r.messages.at(0).content; }

// ---- output parsers ------------------------------------------------------

TEST(GeneratedPromptParser, StripsLabelsInAnyCase) {
  EXPECT_EQ(parse_generated_prompt("Refined Prompt: A cactus at dawn"), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("ENHANCED PROMPT:A cactus at dawn"), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("**Refined prompt:** A cactus at dawn"), "A cactus at dawn");
}

TEST(GeneratedPromptParser, StripsQuotesBacktickAndBold) {
  EXPECT_EQ(parse_generated_prompt("\"A cactus at dawn\""), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("Refined Prompt: \"A cactus, oil painting\""),
            "A cactus, oil painting");
  EXPECT_EQ(parse_generated_prompt("`A cactus at dawn`"), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("\xE2\x80\x9C" "A cactus at dawn" "\xE2\x80\x9D"),
            "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("A **lone** cactus"), "A lone cactus");
}

TEST(GeneratedPromptParser, DropsPreambleAndTrailingExplanation) {
  EXPECT_EQ(parse_generated_prompt(
                "Sure! Here is a refined prompt:\n\n\"A cactus under a violet sky\"\n\n"
                "This prompt adds colour and mood while keeping the cactus."),
            "A cactus under a violet sky");
  EXPECT_EQ(parse_generated_prompt("Refined Prompt:\nA cactus under a violet sky,\n"
                                   "highly detailed\n\nExplanation: more detail."),
            "A cactus under a violet sky, highly detailed");
}

TEST(GeneratedPromptParser, StripsLeadingNumbering) {
  EXPECT_EQ(parse_generated_prompt("1. A cactus at dawn"), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("- A cactus at dawn"), "A cactus at dawn");
  EXPECT_EQ(parse_generated_prompt("\xE2\x80\xA2 A cactus at dawn"), "A cactus at dawn");
  // A number that is part of the prompt stays.
  EXPECT_EQ(parse_generated_prompt("3D render of a cactus"), "3D render of a cactus");
}

TEST(GeneratedPromptParser, EmptyWhenNothingUsable) {
  EXPECT_EQ(parse_generated_prompt(""), "");
  EXPECT_EQ(parse_generated_prompt("Refined Prompt:"), "");
  EXPECT_EQ(parse_generated_prompt("\"\"\n\n"), "");
}

TEST(InstructionParser, KeepsDirectiveLines) {
  EXPECT_EQ(parse_instruction("New Instruction: Refine the prompt vividly.\n"
                              "Add: oil painting; sharp focus\nKeep under 30 words"),
            "Refine the prompt vividly.\nAdd: oil painting; sharp focus\nKeep under 30 words");
}

TEST(InstructionParser, KeepsDirectivesAfterBlankLineButDropsCommentary) {
  EXPECT_EQ(parse_instruction("\"Refine the prompt vividly.\"\n\nAvoid: blurry\n\n"
                              "This new instruction keeps things general."),
            "Refine the prompt vividly.\nAvoid: blurry");
}

TEST(InstructionParser, StripsLabelsQuotesMarkersAndNumbering) {
  EXPECT_EQ(parse_instruction("**New Instruction:** \"Describe the scene with care.\""),
            "Describe the scene with care.");
  EXPECT_EQ(parse_instruction("instruction: Describe the scene with care."),
            "Describe the scene with care.");
  EXPECT_EQ(parse_instruction("1. Describe the scene with care."), "Describe the scene with care.");
  EXPECT_EQ(parse_instruction("New instruction: <<<Describe the scene with care.>>>"),
            "Describe the scene with care.");
  EXPECT_EQ(parse_instruction("Here is the new instruction:\n\nDescribe the scene with care."),
            "Describe the scene with care.");
}

TEST(InstructionParser, EmptyWhenNothingUsable) {
  EXPECT_EQ(parse_instruction(""), "");
  EXPECT_EQ(parse_instruction("New Instruction:"), "");
  EXPECT_EQ(parse_instruction("\"\"\n...\n"), "");
}

TEST(DirectiveLine, RecognisesTheThreeDirectives) {
  EXPECT_TRUE(is_directive_line("Add: a; b"));
  EXPECT_TRUE(is_directive_line("avoid: c"));
  EXPECT_TRUE(is_directive_line("Keep under 25 words"));
  EXPECT_TRUE(is_directive_line("- Keep the prompt under 25 words"));
  EXPECT_FALSE(is_directive_line("Address the mood"));
  EXPECT_FALSE(is_directive_line("Keep it short"));
}

TEST(ImprovementParser, PaperFormat) {
  const std::string reply =
      "Inference 1: The low prompts lack depth.\n"
      "Improvement 1: Encourage unexpected elements.\n"
      "Inference 2: They are over-elaborate.\n"
      "Improvement 2: Balance detail against concision.\n";
  EXPECT_EQ(parse_improvements(reply),
            (std::vector<std::string>{"Encourage unexpected elements.",
                                      "Balance detail against concision."}));
  EXPECT_EQ(parse_inferences(reply), (std::vector<std::string>{"The low prompts lack depth.",
                                                               "They are over-elaborate."}));
}

TEST(ImprovementParser, ToleratesBoldNumberingCaseAndNextLineText) {
  const std::string reply =
      "1. **Improvement 1:** Add lighting cues.\n"
      "- IMPROVEMENT 2. Mention the medium.\n"
      "**Improvement 3:**\n"
      "Name a colour palette.\n";
  EXPECT_EQ(parse_improvements(reply),
            (std::vector<std::string>{"Add lighting cues.", "Mention the medium.",
                                      "Name a colour palette."}));
}

TEST(ImprovementParser, SplitsSeveralLabelsOnOneLine) {
  EXPECT_EQ(parse_improvements("Inference 1: flat. Improvement 1: add depth."),
            (std::vector<std::string>{"add depth."}));
  EXPECT_EQ(parse_inferences("Inference 1: flat. Improvement 1: add depth."),
            (std::vector<std::string>{"flat."}));
}

TEST(ImprovementParser, AcceptsSuggestionLabels) {
  EXPECT_EQ(parse_improvements("Suggestion 1: Add lighting cues.\nSuggestion 2: Be brief."),
            (std::vector<std::string>{"Add lighting cues.", "Be brief."}));
}

TEST(ImprovementParser, AcceptsListUnderHeading) {
  const std::string reply =
      "The low prompts are long.\n\n"
      "### Improvements:\n"
      "1. Keep prompts short.\n"
      "2. **Name** a style.\n"
      "\n"
      "Hope this helps!\n";
  EXPECT_EQ(parse_improvements(reply),
            (std::vector<std::string>{"Keep prompts short.", "Name a style."}));
}

TEST(ImprovementParser, NoneWithoutLabelsOrHeading) {
  EXPECT_TRUE(parse_improvements("The prompts are fine as they are.").empty());
  EXPECT_TRUE(parse_improvements("Improvement 1:").empty());
}

TEST(InstructionBlocksParser, MultiLineBlocksSurvive) {
  const std::string reply =
      "Here are three options:\n"
      "Instruction 1: Refine the prompt with rich colour.\n"
      "Add: vivid colors\n"
      "**Instruction 2:** \"Refine the prompt, naming a medium.\"\n"
      "\n"
      "Instruction 3:\n"
      "Refine the prompt with a clear light source.\n"
      "Keep under 30 words\n";
  EXPECT_EQ(parse_instruction_blocks(reply),
            (std::vector<std::string>{
                "Refine the prompt with rich colour.\nAdd: vivid colors",
                "Refine the prompt, naming a medium.",
                "Refine the prompt with a clear light source.\nKeep under 30 words"}));
}

TEST(InstructionBlocksParser, DropsEmptyBlocks) {
  EXPECT_EQ(parse_instruction_blocks("Instruction 1:\nInstruction 2: Be precise."),
            (std::vector<std::string>{"Be precise."}));
  EXPECT_TRUE(parse_instruction_blocks("Be precise.").empty());
}

// ---- templates -----------------------------------------------------------

TEST(PromptTemplates, EveryTemplateIsEmbeddedAndNonEmpty) {
  const PromptTemplates t = PromptTemplates::load();
  for (const std::string* text :
       {&t.generator_system, &t.generator_retry, &t.gradient_system, &t.gradient_intro,
        &t.gradient_format, &t.gradient_retry, &t.modifier_system, &t.modifier_request,
        &t.modifier_retry, &t.fallback_request, &t.fallback_retry})
    EXPECT_FALSE(text->empty());
  EXPECT_THROW(embedded_template("no_such_template"), std::out_of_range);
}

// ---- Generator -----------------------------------------------------------

TEST(Generator, UserMessageHasThePaperShape) {
  ScriptedLlm llm({"A cactus at dawn"});
  Generator g(llm, AgentOptions{"gpt-x", 0.7, 200});
  EXPECT_EQ(g.generate(kI0, "A cactus", 4), "A cactus at dawn");
  ASSERT_EQ(llm.requests.size(), 1u);
  const ChatRequest& r = llm.requests[0];
  EXPECT_EQ(r.role, AgentRole::kGenerator);
  EXPECT_EQ(r.model, "gpt-x");
  EXPECT_DOUBLE_EQ(r.temperature, 0.7);
  EXPECT_EQ(r.max_tokens, 200);
  EXPECT_EQ(r.sample_index, 4);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(system_of(r), embedded_template("generator_system"));
  EXPECT_EQ(r.messages[1].role, "user");
  EXPECT_EQ(user_of(r), std::string(kI0) + ", Prompt or subject to refine : A cactus");
}

TEST(Generator, CleansMessyReply) {
  ScriptedLlm llm({"Refined Prompt: \"A cactus, highly detailed\"\n\nThis adds detail."});
  Generator g(llm, AgentOptions{});
  EXPECT_EQ(g.generate(kI0, "A cactus", 0), "A cactus, highly detailed");
}

TEST(Generator, RetriesOnceWithStricterReminderAsANewSample) {
  ScriptedLlm llm({"Refined Prompt:", "A cactus at dawn"});
  Generator g(llm, AgentOptions{});
  EXPECT_EQ(g.generate(kI0, "A cactus", 3), "A cactus at dawn");
  ASSERT_EQ(llm.requests.size(), 2u);
  EXPECT_EQ(llm.requests[1].sample_index, 3 + kRetrySampleOffset);
  EXPECT_NE(system_of(llm.requests[1]).find(embedded_template("generator_retry")),
            std::string::npos);
  // The user message keeps the paper's exact shape on the retry.
  EXPECT_EQ(user_of(llm.requests[1]), user_of(llm.requests[0]));
}

TEST(Generator, FallsBackToThePlainQuery) {
  ScriptedLlm llm({"", "   \n\n", "I am an AI language model and cannot see images."});
  Generator g(llm, AgentOptions{});
  EXPECT_EQ(g.generate(kI0, "A cactus", 0), "A cactus");
  EXPECT_EQ(llm.requests.size(), 3u);
  const AgentTally t = g.tally();
  EXPECT_EQ(t.calls, 3);
  EXPECT_EQ(t.retries, 2);
  EXPECT_EQ(t.unusable, 1);
}

TEST(Generator, ARefusalIsAskedAgainNotRendered) {
  ScriptedLlm llm({"make it nicer * I am an AI language model and cannot see images.", "A cactus at dawn"});
  Generator g(llm, AgentOptions{});
  EXPECT_EQ(g.generate(kI0, "A cactus", 0), "A cactus at dawn");
  ASSERT_EQ(llm.requests.size(), 2u);
  EXPECT_EQ(g.tally().unusable, 0);
  EXPECT_EQ(g.tally().retries, 1);
}

TEST(Generator, APromptWithoutAWordOfItsQueryIsCountedAsSubjectDropped) {
  ScriptedLlm llm({"A misty harbour at night, cinematic", "A lonely cactus, cinematic"});
  Generator g(llm, AgentOptions{});
  EXPECT_EQ(g.generate(kI0, "A cactus", 0), "A misty harbour at night, cinematic");
  EXPECT_EQ(g.tally().subject_dropped, 1);
  g.generate(kI0, "A cactus", 1);
  EXPECT_EQ(g.tally().subject_dropped, 1) << "the second keeps 'cactus'";
}

TEST(Generator, EndpointFailurePropagates) {
  ScriptedLlm llm({});
  Generator g(llm, AgentOptions{});
  EXPECT_THROW(g.generate(kI0, "A cactus", 0), LlmError);
}

// A thread-safe client whose reply depends on the request only.
class EchoLlm : public LlmClient {
 public:
  ChatResponse complete(const ChatRequest& request) override {
    ChatResponse r;
    const std::string& user = request.messages.at(1).content;
    r.text = "Refined Prompt: " + user.substr(user.rfind(": ") + 2) + " #" +
             std::to_string(request.sample_index);
    return r;
  }
  std::string name() const override { return "echo"; }
};

TEST(Generator, ConcurrentCallsGetTheirOwnAnswers) {
  EchoLlm llm;
  const Generator g(llm, AgentOptions{});
  constexpr int kThreads = 8;
  std::vector<std::string> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] { results[i] = g.generate(kI0, "Q" + std::to_string(i), i); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i)
    EXPECT_EQ(results[i], "Q" + std::to_string(i) + " #" + std::to_string(i));
}

// ---- Gradient Calculator -------------------------------------------------

std::vector<ContrastPair> two_pairs() {
  return {{"Aquarium with sharks", "Sharks swim\nin a tank", 27.5884, "Sharks, neon", 28.54},
          {"Farm with windmill", "A farm", 26.3666, "Windmill farm at dawn", 27.2713}};
}

TEST(GradientCalculator, MessageHasTheAgreedLineFormats) {
  ScriptedLlm llm({"Inference 1: flat\nImprovement 1: add depth"});
  GradientCalculator gc(llm, AgentOptions{});
  const std::string instruction = "Refine it.\nAdd: oil painting";
  gc.compute(instruction, two_pairs(), 2);
  ASSERT_EQ(llm.requests.size(), 1u);
  const ChatRequest& r = llm.requests[0];
  EXPECT_EQ(r.role, AgentRole::kGradient);
  EXPECT_EQ(r.sample_index, 2);
  EXPECT_EQ(system_of(r), embedded_template("gradient_system"));
  const std::string expected =
      embedded_template("gradient_intro") + "\n" +
      "Instruction: <<<Refine it.\nAdd: oil painting>>>\n"
      "low_score_object1: Aquarium with sharks, low_score_generated_prompt: Sharks swim in a "
      "tank, score: 27.588\n"
      "low_score_object2: Farm with windmill, low_score_generated_prompt: A farm, score: "
      "26.367\n"
      "high_score_object1: Aquarium with sharks, high_score_prompt: Sharks, neon, score: "
      "28.540\n"
      "high_score_object2: Farm with windmill, high_score_prompt: Windmill farm at dawn, "
      "score: 27.271\n" +
      embedded_template("gradient_format");
  EXPECT_EQ(user_of(r), expected);
}

TEST(GradientCalculator, ParsesImprovementsAndInferences) {
  ScriptedLlm llm({"Inference 1: flat\nImprovement 1: add depth\n**Improvement 2:** be brief"});
  GradientCalculator gc(llm, AgentOptions{});
  const auto out = gc.compute(kI0, two_pairs(), 0);
  EXPECT_EQ(out.improvements, (std::vector<std::string>{"add depth", "be brief"}));
  EXPECT_EQ(out.inferences, (std::vector<std::string>{"flat"}));
  EXPECT_EQ(llm.requests.size(), 1u);
}

TEST(GradientCalculator, MissingImprovementsAreRetriedThenGivenUp) {
  ScriptedLlm llm({"The prompts look fine.", "Nothing yet.", "Still nothing to say."});
  GradientCalculator gc(llm, AgentOptions{});
  const auto out = gc.compute(kI0, two_pairs(), 5);
  EXPECT_TRUE(out.improvements.empty());
  EXPECT_EQ(out.raw, "Still nothing to say.");
  ASSERT_EQ(llm.requests.size(), 3u);
  EXPECT_EQ(llm.requests[1].sample_index, 5 + kRetrySampleOffset);
  EXPECT_EQ(llm.requests[2].sample_index, 5 + 2 * kRetrySampleOffset);
  EXPECT_EQ(gc.tally().unusable, 1);
  EXPECT_NE(system_of(llm.requests[1]).find(embedded_template("gradient_retry")),
            std::string::npos);
}

TEST(GradientCalculator, RetryCanSucceed) {
  ScriptedLlm llm({"Nothing.", "Improvement 1: name a medium"});
  GradientCalculator gc(llm, AgentOptions{});
  EXPECT_EQ(gc.compute(kI0, two_pairs(), 0).improvements,
            (std::vector<std::string>{"name a medium"}));
}

TEST(GradientCalculator, RefusesEmptyPairs) {
  ScriptedLlm llm({});
  GradientCalculator gc(llm, AgentOptions{});
  EXPECT_THROW(gc.compute(kI0, {}, 0), std::invalid_argument);
}

// ---- Instruction Modifier ------------------------------------------------

TEST(InstructionModifier, ModifyMessageFormat) {
  ScriptedLlm llm({"Refine the prompt with depth."});
  InstructionModifier im(llm, AgentOptions{});
  const auto out = im.modify("add\ndepth", "Refine it.\nAvoid: blurry", 1);
  EXPECT_EQ(out, std::optional<std::string>("Refine the prompt with depth."));
  const ChatRequest& r = llm.requests.at(0);
  EXPECT_EQ(r.role, AgentRole::kModifier);
  EXPECT_EQ(system_of(r), embedded_template("modifier_system"));
  EXPECT_EQ(user_of(r), "Improvement suggestion: <<<add depth>>>\n"
                        "Current instruction: <<<Refine it.\nAvoid: blurry>>>\n" +
                            embedded_template("modifier_request"));
}

TEST(InstructionModifier, CleansMessyReply) {
  ScriptedLlm llm({"New Instruction: \"Refine the prompt with depth.\nAdd: sharp focus\"\n\n"
                   "This keeps the instruction general."});
  InstructionModifier im(llm, AgentOptions{});
  EXPECT_EQ(im.modify("x", kI0, 0),
            std::optional<std::string>("Refine the prompt with depth.\nAdd: sharp focus"));
}

TEST(InstructionModifier, EmptyInstructionIsNeverReturned) {
  ScriptedLlm llm({"New Instruction:", "\"\"", "**"});
  InstructionModifier im(llm, AgentOptions{});
  EXPECT_EQ(im.modify("add depth", kI0, 7), std::nullopt);
  ASSERT_EQ(llm.requests.size(), 3u);
  EXPECT_EQ(llm.requests[1].sample_index, 7 + kRetrySampleOffset);
  EXPECT_NE(system_of(llm.requests[1]).find(embedded_template("modifier_retry")),
            std::string::npos);
}

TEST(InstructionModifier, FallbackMessageAndParsing) {
  ScriptedLlm llm({"Instruction 1: Be specific.\nAdd: film grain\nInstruction 2: Be diverse.\n"
                   "Instruction 3: Name a medium.\nInstruction 4: One too many."});
  InstructionModifier im(llm, AgentOptions{});
  const auto out = im.fallback("Refine it.", 0);
  EXPECT_EQ(out, (std::vector<std::string>{"Be specific.\nAdd: film grain", "Be diverse.",
                                           "Name a medium."}));
  const ChatRequest& r = llm.requests.at(0);
  EXPECT_EQ(r.role, AgentRole::kFallback);
  EXPECT_EQ(user_of(r),
            "Current instruction: <<<Refine it.>>>\n" + embedded_template("fallback_request"));
}

TEST(InstructionModifier, FallbackRetriesThenReturnsNone) {
  ScriptedLlm llm({"I cannot help.", "Instruction 1:", ""});
  InstructionModifier im(llm, AgentOptions{});
  EXPECT_TRUE(im.fallback(kI0, 0).empty());
  ASSERT_EQ(llm.requests.size(), 3u);
  EXPECT_EQ(llm.requests[1].sample_index, kRetrySampleOffset);
  EXPECT_EQ(im.tally().unusable, 1);
}

TEST(InstructionModifier, FallbackAcceptsFewer) {
  ScriptedLlm llm({"Instruction 1: Be specific."});
  InstructionModifier im(llm, AgentOptions{});
  EXPECT_EQ(im.fallback(kI0, 0), (std::vector<std::string>{"Be specific."}));
  EXPECT_EQ(llm.requests.size(), 1u);
}

// ---- round trip with the offline heuristic backend -----------------------
// The heuristic backend parses the messages these agents write and answers
// in the agreed formats; every answer must parse on the first attempt.

class CountingLlm : public LlmClient {
 public:
  explicit CountingLlm(LlmClient& inner) : inner_(inner) {}
  ChatResponse complete(const ChatRequest& request) override {
    ++calls;
    return inner_.complete(request);
  }
  std::string name() const override { return "counting"; }
  int calls = 0;

 private:
  LlmClient& inner_;
};

TEST(AgentsWithHeuristicBackend, EveryFormatRoundTrips) {
  auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases(
      {"highly detailed", "octane render", "oil painting", "cinematic lighting", "art nouveau",
       "sharp focus", "film grain", "watercolor", "bokeh", "golden hour"}));
  HeuristicOptions opts;
  opts.gc_specific = 1.0;
  HeuristicLlm heuristic(vocab, opts);
  CountingLlm llm(heuristic);

  for (int sample = 0; sample < 5; ++sample) {
    const Generator g(llm, AgentOptions{});
    const int before = llm.calls;
    const std::string prompt = g.generate(kI0, "Farm with windmill", sample);
    EXPECT_EQ(llm.calls - before, 1) << prompt;
    EXPECT_EQ(prompt.rfind("Refined Prompt", 0), std::string::npos) << prompt;
    EXPECT_EQ(prompt.rfind("Enhanced Prompt", 0), std::string::npos) << prompt;
  }

  const GradientCalculator gc(llm, AgentOptions{});
  const std::vector<ContrastPair> pairs = {
      {"A cactus", "A cactus standing alone in the sand", 25.1,
       "A cactus, highly detailed, octane render, golden hour", 28.4},
      {"Farm with windmill", "Farm with windmill under a sky", 25.9,
       "Farm with windmill, highly detailed, octane render, film grain", 28.0}};
  int before = llm.calls;
  const auto grad = gc.compute(kI0, pairs, 0);
  EXPECT_EQ(llm.calls - before, 1) << grad.raw;
  ASSERT_FALSE(grad.improvements.empty()) << grad.raw;

  const InstructionModifier im(llm, AgentOptions{});
  bool directive_survived = false;
  for (std::size_t i = 0; i < grad.improvements.size(); ++i) {
    before = llm.calls;
    const auto child = im.modify(grad.improvements[i], kI0, static_cast<int>(i));
    EXPECT_EQ(llm.calls - before, 1);
    ASSERT_TRUE(child.has_value()) << grad.improvements[i];
    EXPECT_FALSE(child->empty());
    // A multi-line instruction keeps its directive lines through the parser.
    directive_survived = directive_survived || child->find("\nAdd: ") != std::string::npos;
  }
  EXPECT_TRUE(directive_survived) << grad.raw;

  before = llm.calls;
  const auto children = im.fallback(kI0, 0);
  EXPECT_EQ(llm.calls - before, 1);
  EXPECT_EQ(children.size(), 3u);
}

}  // namespace
}  // namespace bigpe
