#include "common/fault_point.h"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace bigpe::engine {
namespace {

int signal_named(const char* name) {
  if (name == nullptr || std::strcmp(name, "INT") == 0) return SIGINT;
  if (std::strcmp(name, "TERM") == 0) return SIGTERM;
  return 0;
}

}  // namespace

void fault_point(const std::string& name) {
  static const char* kill_at = std::getenv("BIGPE_FAULT_KILL_AT");
  if (kill_at != nullptr && name == kill_at) ::raise(SIGKILL);
  static const char* signal_at = std::getenv("BIGPE_FAULT_SIGNAL_AT");
  static const int sig = signal_named(std::getenv("BIGPE_FAULT_SIGNAL"));
  static std::atomic<bool> signalled{false};
  // To the whole process group, as a terminal's Ctrl-C is, and only once:
  // a second signal means "exit now".
  if (signal_at != nullptr && sig != 0 && name == signal_at && !signalled.exchange(true)) ::kill(0, sig);
}

}  // namespace bigpe::engine
