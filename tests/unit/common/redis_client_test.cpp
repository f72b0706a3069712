#include "common/redis/redis_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "tests/support/redis_fixture.h"

namespace bigpe {
namespace {

using Type = RedisReply::Type;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class RedisClientTest : public RedisFixture {};

TEST_F(RedisClientTest, CommandsReturnTypedReplies) {
  RedisClient c = client();
  EXPECT_EQ(c.command({"SET", "k", "v"}).type, Type::kStatus);
  RedisReply get = c.command({"GET", "k"});
  EXPECT_EQ(get.type, Type::kString);
  EXPECT_EQ(get.str, "v");
  EXPECT_TRUE(c.command({"GET", "missing"}).is_nil());
  RedisReply incr = c.command({"INCRBY", "n", "5"});
  EXPECT_EQ(incr.type, Type::kInteger);
  EXPECT_EQ(incr.integer, 5);
  c.command({"RPUSH", "list", "a", "b"});
  RedisReply range = c.command({"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(range.type, Type::kArray);
  ASSERT_EQ(range.elements.size(), 2u);
  EXPECT_EQ(range.elements[1].str, "b");
}

TEST_F(RedisClientTest, KeysAndValuesAreBinarySafe) {
  RedisClient c = client();
  std::string key("bin\0key", 7);
  std::string value;
  for (int i = 0; i < 256; ++i) value += static_cast<char>(i);
  value += std::string("\r\n\0end", 6);
  c.command({"SET", key, value});
  EXPECT_EQ(c.command({"GET", key}).str, value);
  EXPECT_TRUE(c.command({"GET", "bin"}).is_nil());
}

TEST_F(RedisClientTest, PipelineReturnsOneReplyPerCommandInOrder) {
  RedisClient c = client();
  std::vector<std::vector<std::string>> cmds;
  for (int i = 0; i < 2000; ++i) cmds.push_back({"SET", "p" + std::to_string(i), std::to_string(i * i)});
  for (int i = 0; i < 2000; ++i) cmds.push_back({"GET", "p" + std::to_string(i)});
  std::vector<RedisReply> replies = c.pipeline(cmds);
  ASSERT_EQ(replies.size(), 4000u);
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(replies[i].str, "OK");
    EXPECT_EQ(replies[2000 + i].str, std::to_string(i * i));
  }
  EXPECT_TRUE(c.pipeline({}).empty());
}

TEST_F(RedisClientTest, PipelineReturnsErrorRepliesInPlace) {
  RedisClient c = client();
  c.command({"SET", "text", "abc"});
  std::vector<RedisReply> r = c.pipeline({{"INCR", "counter"}, {"INCR", "text"}, {"INCR", "counter"}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].integer, 1);
  EXPECT_TRUE(r[1].is_error());
  EXPECT_TRUE(contains(r[1].str, "not an integer")) << r[1].str;
  EXPECT_EQ(r[2].integer, 2);
}

TEST_F(RedisClientTest, ErrorRepliesNameTheCommandAndKey) {
  RedisClient c = client();
  c.command({"SET", "text", "abc"});
  try {
    c.command({"incr", "text"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "INCR text")) << e.what();
    EXPECT_TRUE(contains(e.what(), "not an integer")) << e.what();
    EXPECT_TRUE(contains(e.what(), server().url())) << e.what();
  }
  try {
    c.command({"NOSUCHCOMMAND"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "NOSUCHCOMMAND")) << e.what();
    EXPECT_TRUE(contains(e.what(), "unknown command")) << e.what();
  }
  // The connection is still usable after error replies.
  EXPECT_EQ(c.command({"GET", "text"}).str, "abc");
}

TEST_F(RedisClientTest, TransactionAppliesAllCommands) {
  RedisClient c = client();
  std::vector<RedisReply> r = c.transaction({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].integer, 2);
  EXPECT_EQ(r[2].str, "2");
}

TEST_F(RedisClientTest, TransactionWithARefusedCommandAppliesNothing) {
  RedisClient c = client();
  try {
    c.transaction({{"SET", "a", "1"}, {"GET"}, {"SET", "b", "2"}});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "transaction")) << e.what();
    EXPECT_TRUE(contains(e.what(), "command 2 (GET)")) << e.what();
  }
  EXPECT_TRUE(c.command({"GET", "a"}).is_nil());
  EXPECT_EQ(c.command({"EXISTS", "b"}).integer, 0);
}

TEST_F(RedisClientTest, TransactionRuntimeErrorNamesTheCommand) {
  RedisClient c = client();
  c.command({"SET", "text", "abc"});
  try {
    c.transaction({{"SET", "ok", "1"}, {"INCR", "text"}});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "INCR text")) << e.what();
  }
}

TEST_F(RedisClientTest, ReconnectsAfterTheServerRestarted) {
  RedisClient c = client();
  c.command({"SET", "k", "before"});
  server().restart();
  // The old connection is dead; the call reconnects and resends once.
  EXPECT_EQ(c.command({"GET", "k"}).str, "before");
  EXPECT_EQ(c.pipeline({{"SET", "k", "after"}, {"GET", "k"}}).at(1).str, "after");
}

TEST_F(RedisClientTest, ServerDownFailsClearlyThenRecovers) {
  RedisClient c = client();
  server().stop();
  try {
    c.command({"GET", "k"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), server().url())) << e.what();
    EXPECT_TRUE(contains(e.what(), "GET k")) << e.what();
  }
  server().restart();
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

TEST_F(RedisClientTest, ALostServerIsAConnectionErrorAnErrorReplyIsNot) {
  RedisClient c = client();
  c.command({"SET", "text", "abc"});
  try {
    c.command({"INCR", "text"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_EQ(dynamic_cast<const RedisConnectionError*>(&e), nullptr) << e.what();
  }
  server().stop();
  EXPECT_THROW(c.command({"GET", "text"}), RedisConnectionError);
}

TEST_F(RedisClientTest, AServerDeclaredGoneFailsAtOnceWithTheReasonInsteadOfWaitingOutTheWindow) {
  auto gone = std::make_shared<RedisServerGone>();
  RedisOptions o = server().options();
  o.reconnect_window = RedisOptions::kRestartWindow;
  o.gone = gone;
  RedisClient c(o);
  c.command({"SET", "k", "v"});
  server().stop();
  gone->declare("the private redis-server died; not restarted (restarts are off)");
  try {
    c.command({"GET", "k"});
    FAIL() << "expected RedisConnectionError";
  } catch (const RedisConnectionError& e) {
    // Without the notice it would fail after 20 s with "Connection refused".
    EXPECT_TRUE(contains(e.what(), "not restarted (restarts are off) (while sending GET k)")) << e.what();
    EXPECT_TRUE(contains(e.what(), server().url())) << e.what();
  }
  gone->declare("a second reason");
  EXPECT_EQ(gone->reason(), "the private redis-server died; not restarted (restarts are off)");
}

TEST_F(RedisClientTest, ConnectFailureNamesTheServer) {
  RedisOptions o = server().options();
  server().stop();
  o.connect_timeout = std::chrono::milliseconds(500);
  try {
    RedisClient c(o);
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "connect")) << e.what();
    EXPECT_TRUE(contains(e.what(), o.url_without_password())) << e.what();
  }
}

TEST_F(RedisClientTest, CommandTimeoutIsReportedAndTheClientRecovers) {
  RedisOptions o = server().options();
  o.command_timeout = std::chrono::milliseconds(50);
  RedisClient c(o);
  try {
    c.command({"BLPOP", "never-filled", "5"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "BLPOP never-filled")) << e.what();
    EXPECT_TRUE(contains(e.what(), "timed out")) << e.what();
  }
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

TEST_F(RedisClientTest, SelectsTheConfiguredDatabase) {
  RedisOptions o = server().options();
  o.db = 3;
  RedisClient c3(o);
  c3.command({"SET", "k", "in3"});
  RedisClient c0 = client();
  EXPECT_TRUE(c0.command({"GET", "k"}).is_nil());
  EXPECT_EQ(c3.command({"GET", "k"}).str, "in3");
}

class RedisAuthTest : public RedisFixture {
 protected:
  RedisServerOptions server_options(RedisServerOptions o) override {
    o.password = "hunter2-secret";
    return o;
  }
};

TEST_F(RedisAuthTest, RightPasswordWorks) {
  RedisClient c = client();
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

TEST_F(RedisAuthTest, WrongPasswordFailsWithoutRevealingIt) {
  RedisOptions o = server().options();
  o.password = "wrong-guess-xyz";
  try {
    RedisClient c(o);
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "AUTH")) << e.what();
    EXPECT_FALSE(contains(e.what(), "wrong-guess-xyz")) << e.what();
  }
}

TEST_F(RedisAuthTest, MissingPasswordIsRefusedByTheServer) {
  RedisOptions o = server().options();
  o.password.clear();
  RedisClient c(o);
  try {
    c.command({"GET", "k"});
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_TRUE(contains(e.what(), "NOAUTH")) << e.what();
  }
}

// ---- URLs ----

TEST(RedisOptionsFromUrl, ParsesEveryPart) {
  RedisOptions o = RedisOptions::from_url("redis://:p%40ss@example.org:6390/2");
  EXPECT_EQ(o.host, "example.org");
  EXPECT_EQ(o.port, 6390);
  EXPECT_EQ(o.db, 2);
  EXPECT_EQ(o.password, "p@ss");
  EXPECT_EQ(o.url_without_password(), "redis://example.org:6390/2");

  RedisOptions plain = RedisOptions::from_url("redis://localhost");
  EXPECT_EQ(plain.host, "localhost");
  EXPECT_EQ(plain.port, 6379);
  EXPECT_EQ(plain.db, 0);
  EXPECT_EQ(plain.url_without_password(), "redis://localhost:6379");

  RedisOptions v6 = RedisOptions::from_url("redis://[::1]:7000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 7000);
  EXPECT_EQ(v6.url_without_password(), "redis://[::1]:7000");
}

TEST(RedisOptionsFromUrl, PasswordMayComeFromTheEnvironment) {
  ::setenv("BIGPE_REDIS_PASSWORD", "from-env", 1);
  EXPECT_EQ(RedisOptions::from_url("redis://h:1").password, "from-env");
  EXPECT_EQ(RedisOptions::from_url("redis://:inline@h:1").password, "inline");
  ::unsetenv("BIGPE_REDIS_PASSWORD");
  EXPECT_EQ(RedisOptions::from_url("redis://h:1").password, "");
}

void expect_url_error(const std::string& url, const std::string& part) {
  try {
    RedisOptions::from_url(url);
    ADD_FAILURE() << url << ": expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), part)) << url << " -> " << e.what();
    EXPECT_FALSE(contains(e.what(), "topsecret")) << e.what();
  }
}

TEST(RedisOptionsFromUrl, ErrorsNameTheWrongPart) {
  expect_url_error("http://localhost", "must start with redis://");
  expect_url_error("redis://", "host: empty");
  expect_url_error("redis://:6379", "host: empty");
  expect_url_error("redis://localhost:abc", "port 'abc'");
  expect_url_error("redis://localhost:70000", "port '70000'");
  expect_url_error("redis://localhost:", "port: empty");
  expect_url_error("redis://localhost:6379/x", "database 'x'");
  expect_url_error("redis://:topsecret@localhost:abc", "port 'abc'");
  expect_url_error("redis://alice:topsecret@localhost", "user names");
  expect_url_error("redis://topsecret@localhost", "':password'");
  expect_url_error("redis://:top%zzsecret@localhost", "password: bad percent escape");
}

}  // namespace
}  // namespace bigpe
