#include "scheduler/store/run_folder.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/content_hash.h"
#include "common/file_io.h"
#include "common/json_access.h"
#include "common/json_strict.h"
#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {

std::string new_run_id(const std::string& name) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string entropy = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                        "|" + std::to_string(::getpid()) + "|" + name;
  return name + "-" + stamp + "-" + sha256_hex(entropy).substr(0, 6);
}

std::string config_hash(const Config& config) {
  std::string canonical;
  for (const auto& [key, value] : config.values()) {
    const ConfigKey* k = experiment_schema().find(key);
    if (k != nullptr && k->affects_result) canonical += key + "=" + value + "\n";
  }
  return sha256_hex(canonical);
}

void write_run_file(const std::string& run_dir, const RunFile& rf) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  root["experiment_id"] = rf.experiment_id;
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (const auto& [k, v] : rf.values) values[k] = v;
  root["config"] = values;
  if (!rf.infra_dir.empty() && rf.infra_dir != ".") root["infra_dir"] = rf.infra_dir;
  if (!rf.campaign_id.empty()) {
    root["campaign_id"] = rf.campaign_id;
    root["variant"] = rf.variant;
    root["repeat"] = static_cast<int64_t>(rf.repeat);
  }
  // Written whole to a temporary file and renamed, so a crash never leaves
  // a truncated run.json behind.
  write_file_atomic(run_dir + "/run.json", json::dump_strict(root) + "\n");
}

bool has_run_file(const std::string& dir) { return std::filesystem::exists(dir + "/run.json"); }

RunFile read_run_file(const std::string& run_dir) {
  std::string path = run_dir + "/run.json";
  const std::optional<std::string> text = try_read_file(path);
  if (!text) throw std::runtime_error(path + ": no such run (expected the run.json that `bigpe run` writes)");
  RunFile rf;
  try {
    const nlohmann::ordered_json root = json::parse_strict(*text);
    rf.experiment_id = json::require_string(root, "experiment_id");
    const nlohmann::ordered_json& config = json::object_of(json::require(root, "config"), "key 'config'");
    for (const auto& [k, v] : config.items()) rf.values[k] = json::string_of(v, "config key '" + k + "'");
    if (root.contains("infra_dir")) rf.infra_dir = json::require_string(root, "infra_dir");
    if (root.contains("campaign_id")) rf.campaign_id = json::require_string(root, "campaign_id");
    if (root.contains("variant")) rf.variant = json::require_string(root, "variant");
    if (root.contains("repeat")) rf.repeat = static_cast<int>(json::require_int(root, "repeat"));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (rf.infra_dir.empty()) rf.infra_dir = ".";
  return rf;
}

std::string infra_dir_of(const std::string& run_dir, const RunFile& rf) {
  if (rf.infra_dir.empty() || rf.infra_dir == ".") return run_dir;
  return (std::filesystem::path(run_dir) / rf.infra_dir).lexically_normal().string();
}

}  // namespace bigpe::engine
