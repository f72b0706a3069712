#include "scheduler/store/live_endpoints.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/json.h"

namespace bigpe::engine {

void write_live_endpoints(const std::string& folder, const LiveEndpoints& e) {
  json::Value v = json::Value::object();
  v["redis_url"] = e.redis_url;
  v["broker_endpoint"] = e.broker_endpoint;
  v["pid"] = static_cast<int64_t>(e.pid);
  const std::string path = folder + "/live.json", tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json::serialize(v) << "\n";
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // readers never see half a file
  if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
}

void remove_live_endpoints(const std::string& folder) {
  std::error_code ec;
  std::filesystem::remove(folder + "/live.json", ec);
}

std::optional<LiveEndpoints> read_live_endpoints(const std::string& folder) {
  std::ifstream f(folder + "/live.json");
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    json::Value v = json::parse(ss.str());
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
