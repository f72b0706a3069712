// `bigpe run` against an OpenAI-compatible server that misbehaves on
// purpose (tests/support/http_test_server.h, in this process, on loopback):
// answers outside the templates' formats stop the run with a clear reason
// instead of a silent +0.000, and rate limits and cut bodies are retried,
// each retry logged, and the run completes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/bigpe_invocation.h"
#include "tests/support/http_test_server.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::HttpResponse;
using testing::HttpTestServer;
using testing::Invocation;

// `bigpe --log-level info ...`: retries are logged at info.
Invocation run_bigpe(const std::vector<std::string>& args, const std::string& log) {
  ChildProcessOptions o = testing::bigpe_options(args, log);
  o.argv[2] = "info";
  return testing::run_child(o);
}

std::string chat_body(const std::string& content) { return testing::chat_completion_body(content); }

std::vector<std::string> run_against(const HttpTestServer& server, const std::string& out) {
  return {"run",           "experiments/quickstart.yaml", "out=" + out,       "iterations=2",
          "batch_size=2",  "sim.cost_ms=0",              "eval.enabled=false", "write_images=false",
          "llm.backend=openai", "llm.base_url=" + server.base_url(), "llm.model=test-model",
          "llm.max_concurrent=2"};
}

TEST(MisbehavingLlm, AnswersOutsideTheFormatsStopTheRunNamingWhy) {
  HttpTestServer server;
  server.set_default({200, {}, chat_body("I am an AI language model and cannot see images."), false});
  testing::TempDir dir("bigpe-llm-format");
  Invocation r = run_bigpe(run_against(server, dir.file("run")), dir.file("log"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("got no usable reply after 3 attempts"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bigpe resume"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("final instruction"), std::string::npos) << "no result from an LLM that never answered";
  EXPECT_EQ(r.output.find("iter 1/2"), std::string::npos) << "nothing committed:\n" << r.output;
}

TEST(MisbehavingLlm, RateLimitsAndCutBodiesAreRetriedLoggedAndTheRunCompletes) {
  HttpTestServer server;
  // A generator answer that keeps the subject, a gradient and a modifier
  // answer: the heuristic of this test is "say the same useful thing".
  const std::string useful =
      "Improvement 1: name a medium\\nNew Instruction: Refine the prompt and name a medium.\\n"
      "Refined Prompt: a photo of the subject";
  server.enqueue({429, {{"Retry-After", "0"}}, R"({"error":{"message":"slow down"}})", false});
  server.enqueue({200, {}, chat_body(useful).substr(0, 40), false});
  server.set_default({200, {}, chat_body(useful), false});
  testing::TempDir dir("bigpe-llm-retry");
  Invocation r = run_bigpe(run_against(server, dir.file("run")), dir.file("log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("HTTP 429: slow down); retrying in"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not JSON (truncated?)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("iter 2/2"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace bigpe
