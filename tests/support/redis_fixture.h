#pragma once
// RedisFixture: a GoogleTest fixture that gives each test its own private
// redis-server (real, on a free 127.0.0.1 port, data in a temp folder),
// started in SetUp and stopped in TearDown. Override server_options() to
// set a password or appendfsync always.
//
// Not thread-safe: the fixture belongs to the test's main thread; clients
// made by client() may each be used by one other thread.
#include <gtest/gtest.h>

#include <memory>

#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "tests/support/test_paths.h"

namespace bigpe::testing {

class RedisFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Called by SetUp; data_dir is already filled in.
  virtual RedisServerOptions server_options(RedisServerOptions defaults) { return defaults; }

  // A new connection to the server.
  RedisClient client() { return RedisClient(server_->options()); }
  std::unique_ptr<RedisClient> client_ptr() { return std::make_unique<RedisClient>(server_->options()); }
  RedisServer& server() { return *server_; }
  TempDir& temp_dir() { return *temp_; }

 private:
  std::unique_ptr<TempDir> temp_;
  std::unique_ptr<RedisServer> server_;
};

}  // namespace bigpe::testing

// Tests may say RedisFixture without the namespace.
using bigpe::testing::RedisFixture;
