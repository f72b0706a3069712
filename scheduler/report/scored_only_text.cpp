#include "scheduler/report/scored_only_text.h"

namespace bigpe::engine {

std::string scored_only_text(long scored, const std::string& sep) {
  return scored > 0 ? sep + std::to_string(scored) + " scored only" : "";
}

}  // namespace bigpe::engine
