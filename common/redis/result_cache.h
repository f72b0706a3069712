#pragma once
// ResultCache: the worker's view of the result store in Redis (docs/design.md
// section 4). A result record lives at bigpe:result:<key> and is written
// once (SET NX): the first writer wins, so a task re-run after a worker
// death or a broker restart can never overwrite or double-count a result.
// Both operations are one pipelined round trip whatever the batch size.
//
// Not thread-safe: it borrows a RedisClient, which is one connection for
// one thread. Redis failures surface as RedisError from the client.
#include <optional>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "schemas/render_task.h"
#include "common/redis/redis_keys.h"

namespace bigpe {

class ResultCache {
 public:
  // REQUIRES: redis outlives the cache.
  explicit ResultCache(RedisClient& redis);

  static std::string record_key(const std::string& key) { return redis_keys::result(key); }
  static std::string image_record_key(const std::string& key) { return redis_keys::image(key); }

  // One GET per key, pipelined. A missing key or a record that does not
  // decode (logged with the key and the reason) is std::nullopt: a miss is
  // re-rendered, which is always safe.
  std::vector<std::optional<schemas::ResultRecord>> lookup(const std::vector<std::string>& keys);

  // Result records at `keys` and image records at `image_keys` (section
  // 7.3), in one pipelined round trip; misses and undecodable ones as above.
  struct Lookup {
    std::vector<std::optional<schemas::ResultRecord>> results;
    std::vector<std::optional<schemas::ImageRecord>> images;
  };
  Lookup lookup(const std::vector<std::string>& keys, const std::vector<std::string>& image_keys);

  struct StoreOutcome {
    int stored = 0;           // SET NX succeeded
    int already_present = 0;  // another attempt stored the key first
  };
  // SET NX for each record, HINCRBY bigpe:stats:renders <worker_id> <renders>,
  // and INCRBY bigpe:stats:stored / bigpe:stats:duplicates by the SET NX
  // outcomes, in one round trip (a server-side script, so the counters
  // always agree with what was stored). Throws RedisError on failure.
  StoreOutcome store(const std::vector<schemas::ResultRecord>& records,
                     const std::string& worker_id, int renders);
  // The same with image records too (SET NX each, counted alike).
  StoreOutcome store(const std::vector<schemas::ResultRecord>& records,
                     const std::vector<schemas::ImageRecord>& images, const std::string& worker_id,
                     int renders);

 private:
  RedisClient& redis_;
};

}  // namespace bigpe
