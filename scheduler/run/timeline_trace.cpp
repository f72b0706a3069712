#include "scheduler/run/timeline_trace.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace bigpe::engine {

TimelineTrace::TimelineTrace(const std::string& path) : out_(path, std::ios::app) {
  if (!out_) throw std::runtime_error("timing.timeline: cannot write " + path);
}

void TimelineTrace::record(const std::string& lane, const std::string& what, double start_unix_s,
                           double end_unix_s) {
  nlohmann::ordered_json line = {{"lane", lane}, {"what", what}, {"start", start_unix_s}, {"end", end_unix_s}};
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line.dump() << '\n';
  out_.flush();
}

}  // namespace bigpe::engine
