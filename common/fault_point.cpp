#include "common/fault_point.h"

#include <csignal>
#include <cstdlib>

namespace bigpe::engine {

void fault_point(const std::string& name) {
  static const char* target = std::getenv("BIGPE_FAULT_KILL_AT");
  if (target != nullptr && name == target) std::raise(SIGKILL);
}

}  // namespace bigpe::engine
