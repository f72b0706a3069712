#include "scheduler/store/live_endpoints.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/file_io.h"
#include "common/json_access.h"
#include "common/json_strict.h"

namespace bigpe::engine {

void write_live_endpoints(const std::string& folder, const LiveEndpoints& e) {
  nlohmann::ordered_json v = nlohmann::ordered_json::object();
  v["redis_url"] = e.redis_url;
  v["broker_endpoint"] = e.broker_endpoint;
  v["pid"] = static_cast<int64_t>(e.pid);
  write_file_atomic(folder + "/live.json", json::dump_strict(v) + "\n");  // readers never see half a file
}

void remove_live_endpoints(const std::string& folder) {
  std::error_code ec;
  std::filesystem::remove(folder + "/live.json", ec);
}

std::optional<LiveEndpoints> read_live_endpoints(const std::string& folder) {
  try {
    const std::optional<std::string> text = try_read_file(folder + "/live.json");
    if (!text) return std::nullopt;
    const nlohmann::ordered_json v = json::parse_strict(*text);
    LiveEndpoints e;
    e.redis_url = json::require_string(v, "redis_url");
    e.broker_endpoint = json::require_string(v, "broker_endpoint");
    e.pid = static_cast<long>(json::require_int(v, "pid"));
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace bigpe::engine
