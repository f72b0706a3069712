#pragma once
// CampaignStore: a campaign's records in Redis, beside its experiments'.
//
//   bigpe:campaign:<id>   hash: name, file, status (running | stopped |
//                         finished), reason, created, updated, variants
//                         (JSON [{name, set: {key: value}}]), experiments
//                         (JSON [{id, variant, repeat, run_dir}])
//   bigpe:campaigns       sorted set: campaign id by creation time
//
// Each experiment's own meta hash names its campaign, variant and repeat
// (state_store.h).
//
// Not thread-safe: one thread per RedisClient, as always.
#include <optional>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "common/redis/redis_keys.h"

namespace bigpe::engine {

struct CampaignMember {
  std::string experiment_id;
  std::string variant;
  int repeat = 0;
  std::string run_dir;  // relative to the campaign folder
};

struct CampaignRecord {
  std::string campaign_id;
  std::string name;
  std::string file;
  std::string status;
  std::string reason;
  std::string created;
  std::string variants_json;  // [{name, set}]
  std::vector<CampaignMember> experiments;
};

class CampaignStore {
 public:
  CampaignStore(RedisClient& redis, std::string campaign_id);

  bool exists();
  // Records the campaign (status running) and its index entry.
  void create(const CampaignRecord& record);
  void set_status(const std::string& status, const std::string& reason);
  // Replaces the member list (a campaign that gained repeats).
  void set_experiments(const std::vector<CampaignMember>& experiments);
  // nullopt when absent; throws RedisError naming the key when malformed.
  std::optional<CampaignRecord> load();

  // Every campaign id, oldest first.
  static std::vector<std::string> list(RedisClient& redis);
  std::string key() const { return redis_keys::campaign(id_); }

 private:
  RedisClient& redis_;
  std::string id_;
};

std::string members_json(const std::vector<CampaignMember>& members);
// Throws std::runtime_error naming `origin` when the JSON is malformed.
std::vector<CampaignMember> parse_members_json(const std::string& text, const std::string& origin);

}  // namespace bigpe::engine
