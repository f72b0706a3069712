#include "broker/status_text.h"

#include <algorithm>

namespace bigpe::broker {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::string workers_word(std::size_t n) { return std::to_string(n) + (n == 1 ? " worker" : " workers"); }

}  // namespace

std::string worker_line(const schemas::WorkerStatus& w) {
  std::string out = w.worker_id + " (" + joined(w.services) + "): " + std::to_string(w.held) + "/" +
                    std::to_string(w.slots) + " held";
  if (w.suspect) out += ", suspect (leases expired, no new work until it answers)";
  if (w.stalled)
    out += ", stalled: batch running " + std::to_string(w.busy_ms) + " ms";
  else if (w.busy_ms > 0)
    out += ", batch running " + std::to_string(w.busy_ms) + " ms";
  return out;
}

std::string service_coverage(const schemas::StatusReply& status, const std::string& service) {
  std::vector<const schemas::WorkerStatus*> serving;
  for (const schemas::WorkerStatus& w : status.worker_list)
    if (std::find(w.services.begin(), w.services.end(), service) != w.services.end()) serving.push_back(&w);
  std::string out;
  if (serving.empty()) {
    out = "no worker serves it; " + workers_word(status.worker_list.size()) + " connected";
    for (std::size_t i = 0; i < status.worker_list.size(); ++i) {
      const schemas::WorkerStatus& w = status.worker_list[i];
      out += (i == 0 ? ": " : ", ") + w.worker_id + " (" + joined(w.services) + ")";
    }
    return out;
  }
  out = workers_word(serving.size()) + " serve it";
  for (std::size_t i = 0; i < serving.size(); ++i) out += (i == 0 ? ": " : "; ") + worker_line(*serving[i]);
  return out;
}

}  // namespace bigpe::broker
