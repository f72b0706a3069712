// OpenAiClient against a real HTTP/1.1 server on 127.0.0.1
// (tests/support/http_test_server.h): parsing, retries, timeouts and the
// concurrency cap. Backoffs are tiny; nothing here measures time.
#include "scheduler/llm/openai_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/json_strict.h"
#include "tests/fault/log_capture.h"
#include "tests/support/http_test_server.h"

namespace bigpe {
namespace {

using testing::HttpResponse;
using testing::HttpTestServer;

const char* const kOkBody =
    R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":)"
    R"({"role":"assistant","content":"A cactus, highly detailed"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49}})";

HttpResponse ok() { return {200, {}, kOkBody, false}; }
HttpResponse status(int code, const std::string& body = "{}") { return {code, {}, body, false}; }

OpenAiOptions options_for(const HttpTestServer& server) {
  OpenAiOptions o;
  o.base_url = server.base_url();
  o.model = "test-model";
  o.timeout_s = 10;
  o.max_retries = 3;
  o.backoff_initial_s = 0.001;
  o.backoff_max_s = 0.002;
  return o;
}

ChatRequest chat() {
  ChatRequest r;
  r.role = AgentRole::kGenerator;
  r.messages = {{"system", "You write prompts."}, {"user", "Refine \"A cactus\"\n\xC3\xA9"}};
  r.temperature = 0.7;
  r.max_tokens = 64;
  return r;
}

std::string error_of(OpenAiClient& client) {
  try {
    client.complete(chat());
  } catch (const LlmError& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(OpenAiClient, ParsesAnOkResponseWithUsage) {
  HttpTestServer server;
  server.enqueue(ok());
  OpenAiClient client(options_for(server));
  ChatResponse r = client.complete(chat());
  EXPECT_EQ(r.text, "A cactus, highly detailed");
  EXPECT_EQ(r.prompt_tokens, 42);
  EXPECT_EQ(r.completion_tokens, 7);
  EXPECT_FALSE(r.cached);

  ASSERT_EQ(server.request_count(), 1);
  const auto req = server.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1/chat/completions");
  EXPECT_EQ(req.headers.at("content-type"), "application/json");
  EXPECT_EQ(req.headers.count("authorization"), 0u);
  const nlohmann::ordered_json body = json::parse_strict(req.body);
  EXPECT_EQ(body.at("model"), "test-model");
  EXPECT_EQ(body.at("temperature"), 0.7);
  EXPECT_TRUE(body.at("max_tokens").is_number_integer());
  EXPECT_EQ(body.at("max_tokens"), 64);
  const nlohmann::ordered_json& msgs = body.at("messages");
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].at("role"), "user");
  EXPECT_EQ(msgs[1].at("content"), "Refine \"A cactus\"\n\xC3\xA9");
}

TEST(OpenAiClient, BaseUrlEndingInV1IsNotDoubled) {
  HttpTestServer server;
  server.enqueue(ok());
  OpenAiOptions o = options_for(server);
  o.base_url = server.base_url() + "/v1/";
  OpenAiClient client(o);
  EXPECT_EQ(client.endpoint(), server.base_url() + "/v1/chat/completions");
  client.complete(chat());
  EXPECT_EQ(server.requests()[0].target, "/v1/chat/completions");
}

TEST(OpenAiClient, SendsTheKeyButNeverShowsIt) {
  ::setenv("BIGPE_TEST_OPENAI_KEY", "sk-test-secret-123", 1);
  HttpTestServer server;
  server.enqueue(status(401, R"({"error":{"message":"bad key"}})"));
  OpenAiOptions o = options_for(server);
  o.api_key_env = "BIGPE_TEST_OPENAI_KEY";
  OpenAiClient client(o);
  std::string err = error_of(client);
  EXPECT_TRUE(contains(err, "HTTP 401")) << err;
  EXPECT_TRUE(contains(err, "bad key")) << err;
  EXPECT_FALSE(contains(err, "sk-test-secret-123")) << err;
  EXPECT_EQ(server.requests()[0].headers.at("authorization"), "Bearer sk-test-secret-123");
  ::unsetenv("BIGPE_TEST_OPENAI_KEY");
}

TEST(OpenAiClient, MissingKeyVariableFailsAtConstructionNamingIt) {
  ::unsetenv("BIGPE_TEST_NO_SUCH_KEY");
  OpenAiOptions o;
  o.base_url = "http://127.0.0.1:1";
  o.model = "m";
  o.api_key_env = "BIGPE_TEST_NO_SUCH_KEY";
  try {
    OpenAiClient client(o);
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_TRUE(contains(e.what(), "BIGPE_TEST_NO_SUCH_KEY")) << e.what();
  }
}

TEST(OpenAiClient, Retries429HonouringRetryAfter) {
  HttpTestServer server;
  server.enqueue({429, {{"Retry-After", "0"}}, R"({"error":{"message":"slow down"}})", false});
  server.enqueue(ok());
  OpenAiOptions o = options_for(server);
  // Were Retry-After ignored, the backoff would park the test far past its
  // ctest timeout instead of passing.
  o.backoff_initial_s = 600;
  o.backoff_max_s = 600;
  OpenAiClient client(o);
  EXPECT_EQ(client.complete(chat()).text, "A cactus, highly detailed");
  EXPECT_EQ(server.request_count(), 2);
}

TEST(OpenAiClient, GivesUpAfterMaxRetriesOnServerErrors) {
  HttpTestServer server;
  server.set_default(status(500, R"({"error":{"message":"engine crashed"}})"));
  OpenAiOptions o = options_for(server);
  o.max_retries = 2;
  OpenAiClient client(o);
  std::string err = error_of(client);
  EXPECT_EQ(server.request_count(), 3);
  EXPECT_TRUE(contains(err, client.endpoint())) << err;
  EXPECT_TRUE(contains(err, "HTTP 500")) << err;
  EXPECT_TRUE(contains(err, "engine crashed")) << err;
  EXPECT_TRUE(contains(err, "3 attempts")) << err;
}

TEST(OpenAiClient, RecoversWhenA503IsFollowedBySuccess) {
  HttpTestServer server;
  server.enqueue(status(503, "overloaded"));
  server.enqueue(status(502, "<html>bad gateway</html>"));
  server.enqueue(ok());
  OpenAiClient client(options_for(server));
  EXPECT_EQ(client.complete(chat()).completion_tokens, 7);
  EXPECT_EQ(server.request_count(), 3);
}

TEST(OpenAiClient, EachRetryIsLoggedWithItsReasonAndWait) {
  HttpTestServer server;
  server.enqueue(status(503, R"({"error":{"message":"overloaded"}})"));
  server.enqueue(ok());
  testing::LogCapture log;
  OpenAiClient client(options_for(server));
  EXPECT_EQ(client.complete(chat()).completion_tokens, 7);
  EXPECT_TRUE(log.wait_for({"attempt 1/4 failed", "HTTP 503: overloaded", "retrying in"}, std::chrono::seconds(0)));
}

TEST(OpenAiClient, DoesNotRetryOtherClientErrors) {
  HttpTestServer server;
  server.set_default(status(400, R"({"error":{"message":"max_tokens is too large"}})"));
  OpenAiClient client(options_for(server));
  std::string err = error_of(client);
  EXPECT_EQ(server.request_count(), 1);
  EXPECT_TRUE(contains(err, "HTTP 400: max_tokens is too large")) << err;
}

TEST(OpenAiClient, WrongShapedBodiesFailAtOnceNamingTheProblem) {
  HttpTestServer server;
  server.enqueue(status(200, R"({"object":"chat.completion"})"));
  server.enqueue(status(200, R"({"choices":[{"message":{"role":"assistant","content":null}}]})"));
  OpenAiClient client(options_for(server));
  std::string err = error_of(client);
  EXPECT_TRUE(contains(err, "lacks $.choices")) << err;
  err = error_of(client);
  EXPECT_TRUE(contains(err, "choices[0].message.content is null")) << err;
  EXPECT_EQ(server.request_count(), 2);  // valid JSON of the wrong shape: not retried
}

TEST(OpenAiClient, ATruncatedBodyWithStatus200IsRetried) {
  HttpTestServer server;
  server.enqueue(status(200, std::string(kOkBody).substr(0, 60)));
  server.enqueue(ok());
  OpenAiClient client(options_for(server));
  EXPECT_EQ(client.complete(chat()).completion_tokens, 7);
  EXPECT_EQ(server.request_count(), 2);
}

TEST(OpenAiClient, BodiesThatAreNeverJsonGiveUpNamingWhereTheyBroke) {
  HttpTestServer server;
  server.set_default(status(200, "{\"choices\": [oops]}"));
  OpenAiClient client(options_for(server));
  std::string err = error_of(client);
  EXPECT_TRUE(contains(err, "not JSON (truncated?)")) << err;
  EXPECT_TRUE(contains(err, "line 1, column 14")) << err;
  EXPECT_TRUE(contains(err, "gave up after 4 attempts")) << err;
  EXPECT_EQ(server.request_count(), 4);
}

TEST(OpenAiClient, RequestBodyBytes) {
  ChatRequest r = chat();
  r.temperature = 1.0;  // a double stays a double on the wire
  EXPECT_EQ(chat_request_json(r, "m", 32),
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"You write prompts.\"},"
            "{\"role\":\"user\",\"content\":\"Refine \\\"A cactus\\\"\\n\xC3\xA9\"}],"
            "\"temperature\":1.0,\"max_tokens\":32}");
}

TEST(OpenAiClient, UsageCountsMustBeNonNegativeIntegers) {
  auto body = [](const std::string& tokens) {
    return R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":)" + tokens + "}}";
  };
  EXPECT_EQ(parse_chat_response(body("42")).prompt_tokens, 42);
  EXPECT_EQ(parse_chat_response(body("null")).prompt_tokens, 0);
  for (const char* bad : {"-1", "7.5", "7.0", "\"7\"", "4294967296"}) {
    try {
      parse_chat_response(body(bad));
      ADD_FAILURE() << bad;
    } catch (const LlmError& e) {
      EXPECT_TRUE(contains(e.what(), "usage.prompt_tokens is not a count")) << bad << ": " << e.what();
    }
  }
}

TEST(OpenAiClient, DuplicateKeysInAResponseAreRefused) {
  try {
    parse_chat_response(R"({"choices":[{"message":{"content":"a","content":"b"}}]})");
    ADD_FAILURE();
  } catch (const LlmError& e) {
    EXPECT_TRUE(contains(e.what(), "duplicate key 'content'")) << e.what();
  }
}

TEST(OpenAiClient, TimeoutsAreRetriedThenReported) {
  HttpTestServer server;
  server.set_default({200, {}, "", true});  // never answers
  OpenAiOptions o = options_for(server);
  o.timeout_s = 0.2;
  o.max_retries = 1;
  OpenAiClient client(o);
  std::string err = error_of(client);
  EXPECT_EQ(server.request_count(), 2);
  EXPECT_TRUE(contains(err, "timed out")) << err;
  EXPECT_TRUE(contains(err, "2 attempts")) << err;
}

TEST(OpenAiClient, ATimeoutFollowedBySuccessSucceeds) {
  HttpTestServer server;
  server.enqueue({200, {}, "", true});
  server.enqueue(ok());
  OpenAiOptions o = options_for(server);
  o.timeout_s = 0.2;
  OpenAiClient client(o);
  EXPECT_EQ(client.complete(chat()).text, "A cactus, highly detailed");
  EXPECT_EQ(server.request_count(), 2);
}

TEST(OpenAiClient, ConnectionErrorsAreRetriedThenReported) {
  int port;
  {
    HttpTestServer closed;  // a port that was just free and now refuses
    port = closed.port();
  }
  OpenAiOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.model = "m";
  o.max_retries = 2;
  o.backoff_initial_s = 0.001;
  o.backoff_max_s = 0.002;
  OpenAiClient client(o);
  std::string err = error_of(client);
  EXPECT_TRUE(contains(err, "transport error")) << err;
  EXPECT_TRUE(contains(err, "3 attempts")) << err;
}

TEST(OpenAiClient, NeverExceedsTheConcurrencyCap) {
  HttpTestServer server;
  server.set_default(ok());
  server.hold_until_concurrent(2);  // answers only once two requests overlap
  OpenAiOptions o = options_for(server);
  o.max_concurrent = 2;
  OpenAiClient client(o);
  std::vector<std::thread> threads;
  std::vector<std::string> texts(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { texts[i] = client.complete(chat()).text; });
  for (auto& t : threads) t.join();
  for (const auto& t : texts) EXPECT_EQ(t, "A cactus, highly detailed");
  EXPECT_EQ(server.request_count(), 8);
  EXPECT_EQ(server.max_concurrent(), 2);
}

TEST(OpenAiClient, RejectsBadOptionsNamingThem) {
  OpenAiOptions o;
  o.model = "m";
  EXPECT_THROW(OpenAiClient{o}, LlmError);
  o.base_url = "http://127.0.0.1:1";
  o.max_concurrent = 0;
  try {
    OpenAiClient client(o);
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_TRUE(contains(e.what(), "max_concurrent")) << e.what();
  }
}

}  // namespace
}  // namespace bigpe
