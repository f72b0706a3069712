#include "scheduler/store/live_endpoints.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/file_io.h"
#include "common/json.h"

namespace bigpe::engine {

void write_live_endpoints(const std::string& folder, const LiveEndpoints& e) {
  json::Value v = json::Value::object();
  v["redis_url"] = e.redis_url;
  v["broker_endpoint"] = e.broker_endpoint;
  v["pid"] = static_cast<int64_t>(e.pid);
  write_file_atomic(folder + "/live.json", json::serialize(v) + "\n");  // readers never see half a file
}

void remove_live_endpoints(const std::string& folder) {
  std::error_code ec;
  std::filesystem::remove(folder + "/live.json", ec);
}

std::optional<LiveEndpoints> read_live_endpoints(const std::string& folder) {
  try {
    const std::optional<std::string> text = try_read_file(folder + "/live.json");
    if (!text) return std::nullopt;
    json::Value v = json::parse(*text);
    LiveEndpoints e;
    e.redis_url = v.at("redis_url").as_string();
    e.broker_endpoint = v.at("broker_endpoint").as_string();
    e.pid = static_cast<long>(v.at("pid").as_int());
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace bigpe::engine
