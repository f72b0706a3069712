#pragma once
// live.json: where the services of a running run folder can be reached
// (the private redis-server's URL, the embedded broker's client endpoint,
// the owner's pid), so `bigpe status`, `eval` and `export` can attach to a
// campaign while it runs instead of starting a second redis-server on its
// files. Written by the owner after its services start and removed when they
// stop; only trusted while the owner holds the folder's RunLock (a killed
// owner leaves a stale file behind that the free lock exposes).
//
// Thread-safety: functions over one small file; one writer (the owner).
#include <optional>
#include <string>

namespace bigpe::engine {

struct LiveEndpoints {
  std::string redis_url;        // redis://127.0.0.1:PORT
  std::string broker_endpoint;  // tcp://127.0.0.1:PORT, empty when no broker
  long pid = 0;
};

// Throws std::runtime_error naming the file on a write failure.
void write_live_endpoints(const std::string& folder, const LiveEndpoints& e);
void remove_live_endpoints(const std::string& folder);
// nullopt when the file is absent or unreadable.
std::optional<LiveEndpoints> read_live_endpoints(const std::string& folder);

// Removes live.json when it goes out of scope (the services stop with it).
class LiveEndpointsFile {
 public:
  LiveEndpointsFile(std::string folder, const LiveEndpoints& e) : folder_(std::move(folder)) {
    write_live_endpoints(folder_, e);
  }
  ~LiveEndpointsFile() { remove_live_endpoints(folder_); }
  LiveEndpointsFile(const LiveEndpointsFile&) = delete;
  LiveEndpointsFile& operator=(const LiveEndpointsFile&) = delete;

 private:
  std::string folder_;
};

}  // namespace bigpe::engine
