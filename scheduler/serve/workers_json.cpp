#include "scheduler/serve/workers_json.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace bigpe::serve {

using nlohmann::ordered_json;

ordered_json workers_json(const std::string& endpoint, const broker::BrokerClientOptions& options) {
  static std::atomic<long> serial{0};
  schemas::StatusReply s;
  std::string broker_id;
  try {
    broker::BrokerClient client(endpoint, "serve-" + std::to_string(::getpid()) + "-" + std::to_string(++serial),
                                options);
    s = client.status(std::chrono::milliseconds(2000));
    broker_id = client.broker_id();
  } catch (const std::exception& e) {
    throw std::runtime_error("broker " + endpoint + ": no answer (" + e.what() + ")");
  }
  ordered_json services = ordered_json::array();
  for (const schemas::ServiceStatus& svc : s.services)
    services.push_back({{"name", svc.name},
                        {"identity", svc.identity},
                        {"workers", svc.workers},
                        {"queued", svc.queued},
                        {"in_flight", svc.in_flight},
                        {"free_slots", svc.free_slots}});
  ordered_json workers = ordered_json::array();
  for (const schemas::WorkerStatus& w : s.worker_list)
    workers.push_back({{"id", w.worker_id},
                       {"services", w.services},
                       {"slots", w.slots},
                       {"held", w.held},
                       {"busy", w.held > 0},
                       {"busy_ms", w.busy_ms},
                       {"suspect", w.suspect},
                       {"stalled", w.stalled}});
  return {{"endpoint", endpoint},
          {"broker_id", broker_id},
          {"workers", s.workers},
          {"queued", s.queued},
          {"in_flight", s.in_flight},
          {"completed", s.completed},
          {"failed", s.failed},
          {"dispatch_rate", s.dispatch_rate},
          {"result_rate", s.result_rate},
          {"services", services},
          {"worker_list", workers}};
}

}  // namespace bigpe::serve
