#pragma once
// Opening the data of a run or campaign folder for the commands that read
// it after the fact or while it runs (`bigpe status`, `eval`, `export`).
//
// If a process runs the folder (it holds the folder's RunLock), we attach to
// its live services named in live.json: its redis-server and its broker.
// Otherwise we take the lock ourselves and, for `redis: auto`, start the
// folder's private redis-server on its append-only file (never two servers
// on one file), which stops when the handle goes. A folder whose config
// names an external Redis (redis://...) is simply connected to.
//
// Thread-safety: a StoreHandle belongs to the thread that opened it (a
// private redis-server dies with the thread that started it).
#include <memory>
#include <optional>
#include <string>

#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "scheduler/store/run_lock.h"

namespace bigpe::engine {

struct StoreHandle {
  RedisOptions redis;
  std::string broker_endpoint;  // the live broker; empty when none is known
  bool live = false;            // attached to a running process's services
  std::string folder;           // the folder holding redis/ and images/
  std::optional<RunLock> lock;
  std::unique_ptr<RedisServer> server;
};

// `folder`: the infra folder (a standalone run folder or a campaign folder).
// `redis_setting`: the run's `redis` key (auto or a URL). Throws
// std::runtime_error naming the folder when it holds no data or is
// starting up (locked, no live.json yet).
std::unique_ptr<StoreHandle> open_folder_store(const std::string& folder, const std::string& redis_setting);

// A Redis named by URL (--redis), with no folder.
std::unique_ptr<StoreHandle> open_url_store(const std::string& url);

// What a TARGET argument names: a run folder (run.json), a campaign folder
// (campaign.json), or an id to look up in Redis.
struct TargetFolder {
  enum class Kind { kExperiment, kCampaign, kId } kind = Kind::kId;
  std::string id;            // experiment or campaign id (for kId: as given)
  std::string infra_folder;  // kExperiment, kCampaign
  std::string redis_setting;
};
// Throws std::runtime_error naming the file when run.json / campaign.json
// is unreadable.
TargetFolder resolve_target(const std::string& target);

}  // namespace bigpe::engine
