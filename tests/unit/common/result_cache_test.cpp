// ResultCache against a real redis-server.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "tests/support/redis_fixture.h"
#include "common/redis/result_cache.h"

namespace bigpe {
namespace {

schemas::ResultRecord record(const std::string& key, double score) {
  schemas::ResultRecord r;
  r.key = key;
  r.score = score;
  r.prompt = "prompt " + key;
  r.worker_id = "w";
  return r;
}

class ResultCacheTest : public RedisFixture {};

TEST_F(ResultCacheTest, StoreWritesOnceAndCountsDuplicates) {
  RedisClient redis = client();
  ResultCache cache(redis);
  auto first = cache.store({record("a", 1), record("b", 2)}, "w1", 2);
  EXPECT_EQ(first.stored, 2);
  EXPECT_EQ(first.already_present, 0);
  // A second attempt of "b" must not overwrite the first result.
  auto second = cache.store({record("b", 99), record("c", 3)}, "w2", 2);
  EXPECT_EQ(second.stored, 1);
  EXPECT_EQ(second.already_present, 1);

  auto found = cache.lookup({"a", "b", "c", "missing"});
  ASSERT_EQ(found.size(), 4u);
  ASSERT_TRUE(found[1].has_value());
  EXPECT_EQ(found[1]->score, 2);
  EXPECT_EQ(found[2]->prompt, "prompt c");
  EXPECT_FALSE(found[3].has_value());
  EXPECT_EQ(redis.command({"GET", "bigpe:stats:stored"}).str, "3");
  EXPECT_EQ(redis.command({"GET", "bigpe:stats:duplicates"}).str, "1");
  EXPECT_EQ(redis.command({"HGET", "bigpe:stats:renders", "w1"}).str, "2");
  EXPECT_EQ(redis.command({"HGET", "bigpe:stats:renders", "w2"}).str, "2");
}

TEST_F(ResultCacheTest, UndecodableRecordIsAMiss) {
  RedisClient redis = client();
  redis.command({"SET", ResultCache::record_key("bad"), "\x93not a record"});
  ResultCache cache(redis);
  auto found = cache.lookup({"bad"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].has_value());
}

TEST_F(ResultCacheTest, ARecordWithoutVersionIsAMiss) {
  // schemas/README.md section 7: `v` is required; such a record is rendered again.
  RedisClient redis = client();
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(2);
  pk.pack(std::string("key"));
  pk.pack(std::string("k"));
  pk.pack(std::string("score"));
  pk.pack(27.5);
  redis.command({"SET", ResultCache::record_key("k"), std::string(buf.data(), buf.size())});
  ResultCache cache(redis);
  EXPECT_FALSE(cache.lookup({"k"})[0].has_value());
  // The same record with its version is found.
  cache.store({record("k2", 27.5)}, "w", 1);
  EXPECT_TRUE(cache.lookup({"k2"})[0].has_value());
}

TEST_F(ResultCacheTest, NothingToDoIsNoRoundTrip) {
  RedisClient redis = client();
  ResultCache cache(redis);
  EXPECT_TRUE(cache.lookup({}).empty());
  auto none = cache.store({}, "w", 0);
  EXPECT_EQ(none.stored + none.already_present, 0);
  EXPECT_TRUE(redis.command({"GET", "bigpe:stats:stored"}).is_nil());
}

}  // namespace
}  // namespace bigpe
