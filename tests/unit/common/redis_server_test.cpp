#include "common/redis/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/free_port.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using bigpe::testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RedisServerOptions in(const TempDir& dir) {
  RedisServerOptions o;
  o.data_dir = dir.file("redis");
  return o;
}

bool answers(const RedisOptions& o) {
  try {
    RedisClient c(o);
    return c.command({"PING"}).str == "PONG";
  } catch (const RedisError&) {
    return false;
  }
}

TEST(RedisServer, StartsOnLoopbackWithAppendOnlyAndStops) {
  TempDir dir("redis-server");
  RedisServer server(in(dir));
  EXPECT_TRUE(server.running());
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.url(), "redis://127.0.0.1:" + std::to_string(server.port()));
  RedisClient client(server.options());
  client.command({"SET", "k", "v"});
  EXPECT_EQ(client.command({"GET", "k"}).str, "v");
  EXPECT_EQ(client.command({"CONFIG", "GET", "appendonly"}).elements.at(1).str, "yes");
  EXPECT_EQ(client.command({"CONFIG", "GET", "appendfsync"}).elements.at(1).str, "everysec");
  EXPECT_EQ(client.command({"CONFIG", "GET", "save"}).elements.at(1).str, "");
  EXPECT_EQ(client.command({"CONFIG", "GET", "bind"}).elements.at(1).str, "127.0.0.1");
  EXPECT_EQ(client.command({"CONFIG", "GET", "dir"}).elements.at(1).str, server.data_dir());

  server.stop();
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(answers(server.options()));
  server.stop();  // idempotent
}

TEST(RedisServer, RunsInAProcessGroupOfItsOwnSoOurCtrlCDoesNotStopIt) {
  TempDir dir("redis-group");
  RedisServer server(in(dir));
  ASSERT_GT(server.pid(), 0);
  EXPECT_EQ(::getpgid(server.pid()), server.pid());
  EXPECT_NE(::getpgid(server.pid()), ::getpgrp());
}

TEST(RedisServer, FsyncAlwaysOption) {
  TempDir dir("redis-server");
  RedisServerOptions o = in(dir);
  o.fsync_always = true;
  RedisServer server(o);
  RedisClient client(server.options());
  EXPECT_EQ(client.command({"CONFIG", "GET", "appendfsync"}).elements.at(1).str, "always");
}

TEST(RedisServer, RestartKeepsDataThroughAppendOnlyFile) {
  TempDir dir("redis-server");
  RedisServer server(in(dir));
  int port = server.port();
  {
    RedisClient client(server.options());
    for (int i = 0; i < 100; ++i) client.command({"SET", "key" + std::to_string(i), std::to_string(i)});
  }
  server.restart();
  EXPECT_EQ(server.port(), port);
  RedisClient client(server.options());
  EXPECT_EQ(client.command({"DBSIZE"}).integer, 100);
  EXPECT_EQ(client.command({"GET", "key42"}).str, "42");
}

TEST(RedisServer, KillThenRestartKeepsAcknowledgedWrites) {
  TempDir dir("redis-server");
  RedisServer server(in(dir));
  {
    RedisClient client(server.options());
    client.command({"SET", "survivor", "yes"});
  }
  server.kill();
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(answers(server.options()));
  server.restart();
  RedisClient client(server.options());
  EXPECT_EQ(client.command({"GET", "survivor"}).str, "yes");
}

TEST(RedisServer, PasswordIsRequiredAndKeptOutOfTheCommandLine) {
  TempDir dir("redis-server");
  RedisServerOptions o = in(dir);
  o.password = "s3cret pass\"word";
  RedisServer server(o);
  RedisClient client(server.options());
  EXPECT_EQ(client.command({"PING"}).str, "PONG");
  RedisOptions anonymous = server.options();
  anonymous.password.clear();
  RedisClient stranger(anonymous);  // connects; commands are refused
  EXPECT_THROW(stranger.command({"GET", "x"}), RedisError);
  // The password lives in a private config file, not in argv.
  EXPECT_NE(read_file(server.config_path()).find("requirepass"), std::string::npos);
}

TEST(RedisServer, StartFailureReportsTheLogTail) {
  TempDir dir("redis-server");
  // Hold a listening socket on the port so the server cannot bind it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  RedisServerOptions o = in(dir);
  o.port = ntohs(addr.sin_port);
  try {
    RedisServer server(o);
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("redis-server on 127.0.0.1:" + std::to_string(o.port)), std::string::npos) << msg;
    EXPECT_NE(msg.find("Address already in use"), std::string::npos) << msg;
  }
  ::close(fd);
}

TEST(RedisServer, MissingExecutableIsNamed) {
  TempDir dir("redis-server");
  RedisServerOptions o = in(dir);
  o.executable = "/nonexistent/redis-server";
  try {
    RedisServer server(o);
    FAIL() << "expected RedisError";
  } catch (const RedisError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/redis-server"), std::string::npos) << e.what();
  }
}

TEST(RedisServer, DestructorStopsTheServer) {
  TempDir dir("redis-server");
  RedisOptions options;
  {
    RedisServer server(in(dir));
    options = server.options();
    ASSERT_TRUE(answers(options));
  }
  EXPECT_FALSE(answers(options));
}

}  // namespace
}  // namespace bigpe
