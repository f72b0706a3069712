#include "scheduler/store/campaign_store.h"

#include <chrono>
#include <map>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/redis/redis_keys.h"

namespace bigpe::engine {
namespace {

std::string now_text() {
  using namespace std::chrono;
  return std::to_string(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() / 1000.0);
}

}  // namespace

std::string members_json(const std::vector<CampaignMember>& members) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const CampaignMember& m : members) {
    nlohmann::ordered_json v = nlohmann::ordered_json::object();
    v["id"] = m.experiment_id;
    v["variant"] = m.variant;
    v["repeat"] = static_cast<int64_t>(m.repeat);
    v["run_dir"] = m.run_dir;
    a.push_back(v);
  }
  return json::dump_strict(a);
}

std::vector<CampaignMember> parse_members_json(const std::string& text, const std::string& origin) {
  std::vector<CampaignMember> out;
  try {
    const nlohmann::ordered_json a = json::parse_strict(text);
    for (const nlohmann::ordered_json& v : json::array_of(a, "the member list"))
      out.push_back({json::require_string(v, "id"), json::require_string(v, "variant"),
                     static_cast<int>(json::require_int(v, "repeat")), json::require_string(v, "run_dir")});
  } catch (const std::exception& e) {
    throw std::runtime_error(origin + ": experiments: " + e.what());
  }
  return out;
}

CampaignStore::CampaignStore(RedisClient& redis, std::string campaign_id)
    : redis_(redis), id_(std::move(campaign_id)) {}

bool CampaignStore::exists() { return redis_.command({"EXISTS", key()}).integer > 0; }

void CampaignStore::create(const CampaignRecord& r) {
  const std::string now = now_text();
  redis_.transaction({
      {"HSET", key(), "name", r.name, "file", r.file, "status", "running", "reason", "", "created", now,
       "updated", now, "variants", r.variants_json, "experiments", members_json(r.experiments)},
      {"ZADD", redis_keys::kCampaigns, now, id_},
  });
}

void CampaignStore::set_status(const std::string& status, const std::string& reason) {
  redis_.command({"HSET", key(), "status", status, "reason", reason, "updated", now_text()});
}

void CampaignStore::set_experiments(const std::vector<CampaignMember>& experiments) {
  redis_.command({"HSET", key(), "experiments", members_json(experiments), "updated", now_text()});
}

std::optional<CampaignRecord> CampaignStore::load() {
  RedisReply r = redis_.command({"HGETALL", key()});
  if (r.elements.empty()) return std::nullopt;
  std::map<std::string, std::string> f;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) f[r.elements[i].str] = r.elements[i + 1].str;
  CampaignRecord c;
  c.campaign_id = id_;
  c.name = f["name"];
  c.file = f["file"];
  c.status = f["status"];
  c.reason = f["reason"];
  c.created = f["created"];
  c.variants_json = f["variants"];
  try {
    c.experiments = parse_members_json(f["experiments"], key());
  } catch (const std::exception& e) {
    throw RedisError(e.what());
  }
  return c;
}

std::vector<std::string> CampaignStore::list(RedisClient& redis) {
  std::vector<std::string> ids;
  for (const RedisReply& e : redis.command({"ZRANGE", redis_keys::kCampaigns, "0", "-1"}).elements) ids.push_back(e.str);
  return ids;
}

}  // namespace bigpe::engine
