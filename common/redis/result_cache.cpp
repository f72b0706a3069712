#include "common/redis/result_cache.h"

#include <spdlog/spdlog.h>

#include "schemas/decode_error.h"
#include "common/redis/redis_keys.h"

namespace bigpe {

ResultCache::ResultCache(RedisClient& redis) : redis_(redis) {}

namespace {

// GET each key, pipelined; a record that does not decode is treated as
// absent: rendering again is correct, just slower, and SET NX will leave
// the bad record alone.
template <typename Record, typename Decode>
void get_records(const std::vector<RedisReply>& replies, std::size_t first,
                 const std::vector<std::string>& redis_keys, Decode decode,
                 std::vector<std::optional<Record>>& out) {
  for (std::size_t i = 0; i < redis_keys.size() && first + i < replies.size(); ++i) {
    const RedisReply& r = replies[first + i];
    if (r.is_error()) throw RedisError("GET " + redis_keys[i] + ": " + r.str);
    if (r.type != RedisReply::Type::kString) continue;
    try {
      out[i] = decode(r.str);
    } catch (const std::exception& e) {
      spdlog::warn("result cache: ignoring undecodable record {}: {}", redis_keys[i], e.what());
    }
  }
}

}  // namespace

std::vector<std::optional<schemas::ResultRecord>> ResultCache::lookup(
    const std::vector<std::string>& keys) {
  return lookup(keys, {}).results;
}

ResultCache::Lookup ResultCache::lookup(const std::vector<std::string>& keys,
                                        const std::vector<std::string>& image_keys) {
  Lookup out;
  out.results.resize(keys.size());
  out.images.resize(image_keys.size());
  if (keys.empty() && image_keys.empty()) return out;
  std::vector<std::string> result_names, image_names;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(keys.size() + image_keys.size());
  for (const std::string& k : keys) {
    result_names.push_back(record_key(k));
    commands.push_back({"GET", result_names.back()});
  }
  for (const std::string& k : image_keys) {
    image_names.push_back(image_record_key(k));
    commands.push_back({"GET", image_names.back()});
  }
  std::vector<RedisReply> replies = redis_.pipeline(commands);
  get_records(replies, 0, result_names, schemas::decode_result_record, out.results);
  get_records(replies, keys.size(), image_names, schemas::decode_image_record, out.images);
  return out;
}

namespace {

// SET NX each record and count the outcomes server-side, so that storing a
// batch and updating the counters is one round trip and the counters can
// never disagree with what was stored. KEYS: record keys; ARGV: one record
// per key, then worker_id, then the render count.
const std::string& store_script() {
  static const std::string script = std::string(R"lua(
local stored, dup = 0, 0
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[i], 'NX') then stored = stored + 1 else dup = dup + 1 end
end
local n = #KEYS
local renders = tonumber(ARGV[n + 2])
if renders ~= 0 then redis.call('HINCRBY', ')lua") + redis_keys::kStatsRenders + R"lua(', ARGV[n + 1], renders) end
if stored > 0 then redis.call('INCRBY', ')lua" + redis_keys::kStatsStored + R"lua(', stored) end
if dup > 0 then redis.call('INCRBY', ')lua" + redis_keys::kStatsDuplicates + R"lua(', dup) end
return {stored, dup}
)lua";
  return script;
}

}  // namespace

ResultCache::StoreOutcome ResultCache::store(const std::vector<schemas::ResultRecord>& records,
                                             const std::string& worker_id, int renders) {
  return store(records, {}, worker_id, renders);
}

ResultCache::StoreOutcome ResultCache::store(const std::vector<schemas::ResultRecord>& records,
                                             const std::vector<schemas::ImageRecord>& images,
                                             const std::string& worker_id, int renders) {
  StoreOutcome outcome;
  if (records.empty() && images.empty() && renders == 0) return outcome;
  std::vector<std::string> argv;
  argv.reserve(3 + 2 * (records.size() + images.size()) + 2);
  argv.push_back("EVAL");
  argv.push_back(store_script());
  argv.push_back(std::to_string(records.size() + images.size()));
  for (const schemas::ResultRecord& rec : records) argv.push_back(record_key(rec.key));
  for (const schemas::ImageRecord& img : images) argv.push_back(image_record_key(img.key));
  for (const schemas::ResultRecord& rec : records) argv.push_back(schemas::encode(rec));
  for (const schemas::ImageRecord& img : images) argv.push_back(schemas::encode(img));
  argv.push_back(worker_id);
  argv.push_back(std::to_string(renders));
  RedisReply reply = redis_.command(argv);
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2)
    throw RedisError("EVAL (store results): unexpected reply shape");
  outcome.stored = static_cast<int>(reply.elements[0].integer);
  outcome.already_present = static_cast<int>(reply.elements[1].integer);
  return outcome;
}

}  // namespace bigpe
