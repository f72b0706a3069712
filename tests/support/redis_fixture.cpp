#include "tests/support/redis_fixture.h"

namespace bigpe::testing {

void RedisFixture::SetUp() {
  temp_ = std::make_unique<TempDir>("redis");
  RedisServerOptions defaults;
  defaults.data_dir = temp_->file("redis");
  server_ = std::make_unique<RedisServer>(server_options(defaults));
}

void RedisFixture::TearDown() {
  server_.reset();
  temp_.reset();
}

}  // namespace bigpe::testing
