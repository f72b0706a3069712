#include "scheduler/store/store_access.h"

#include <filesystem>
#include <stdexcept>

#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/live_endpoints.h"
#include "scheduler/store/run_folder.h"

namespace fs = std::filesystem;

namespace bigpe::engine {

std::unique_ptr<StoreHandle> open_url_store(const std::string& url) {
  auto h = std::make_unique<StoreHandle>();
  h->redis = RedisOptions::from_url(url);
  return h;
}

std::unique_ptr<StoreHandle> open_folder_store(const std::string& folder, const std::string& redis_setting) {
  auto h = std::make_unique<StoreHandle>();
  h->folder = folder;
  std::optional<RunLock> lock = RunLock::try_acquire(folder);
  if (!lock) {
    std::optional<LiveEndpoints> live = read_live_endpoints(folder);
    if (!live)
      throw std::runtime_error(folder + " is held by a bigpe process that has not published its services yet "
                               "(no live.json); try again in a moment");
    h->redis = RedisOptions::from_url(live->redis_url);
    h->broker_endpoint = live->broker_endpoint;
    h->live = true;
    return h;
  }
  h->lock = std::move(lock);
  if (redis_setting != "auto") {
    h->redis = RedisOptions::from_url(redis_setting);
    return h;
  }
  const std::string data = folder + "/redis";
  if (!fs::is_directory(data))
    throw std::runtime_error(folder + " holds no data (no redis/ folder): has it run yet?");
  RedisServerOptions ro;
  ro.data_dir = data;
  h->server = std::make_unique<RedisServer>(ro);
  h->redis = h->server->options();
  return h;
}

TargetFolder resolve_target(const std::string& target) {
  TargetFolder t;
  if (has_campaign_file(target)) {
    CampaignFile c = read_campaign_file(target);
    t.kind = TargetFolder::Kind::kCampaign;
    t.id = c.campaign_id;
    t.infra_folder = target;
    t.redis_setting = "auto";
    if (!c.members.empty()) {
      RunFile rf = read_run_file(target + "/" + c.members.front().run_dir);
      t.redis_setting = rf.values.count("redis") ? rf.values.at("redis") : "auto";
    }
    return t;
  }
  if (has_run_file(target)) {
    RunFile rf = read_run_file(target);
    t.kind = TargetFolder::Kind::kExperiment;
    t.id = rf.experiment_id;
    t.infra_folder = infra_dir_of(target, rf);
    t.redis_setting = rf.values.count("redis") ? rf.values.at("redis") : "auto";
    return t;
  }
  if (fs::is_directory(target))
    throw std::runtime_error(target + ": neither a run folder (run.json) nor a campaign folder (campaign.json)");
  t.kind = TargetFolder::Kind::kId;
  t.id = target;
  return t;
}

}  // namespace bigpe::engine
