#include "common/fault_point.h"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <algorithm>
#include <cstring>

namespace bigpe::engine {
namespace {

int signal_named(const char* name) {
  if (name == nullptr || std::strcmp(name, "INT") == 0) return SIGINT;
  if (std::strcmp(name, "TERM") == 0) return SIGTERM;
  return 0;
}

// One armed point: its name, which passage strikes (1: the first), and how
// many passages have been counted.
struct Armed {
  std::string name;
  long nth = 0;  // 0: not armed
  std::atomic<long> passed{0};

  explicit Armed(const char* variable) {
    const char* v = std::getenv(variable);
    if (v == nullptr || *v == '\0') return;
    name = v;
    nth = 1;
    const auto hash = name.rfind('#');
    if (hash != std::string::npos) {
      nth = std::max(1L, std::atol(name.c_str() + hash + 1));
      name.resize(hash);
    }
  }
  // True on the passage that strikes, once.
  bool strikes(const std::string& point) {
    return nth > 0 && point == name && passed.fetch_add(1) + 1 == nth;
  }
};

std::atomic<int> g_redis_pid{0};

}  // namespace

void set_fault_redis_pid(int pid) { g_redis_pid = pid; }

void fault_point(const std::string& name) {
  static Armed kill_at("BIGPE_FAULT_KILL_AT");
  static Armed signal_at("BIGPE_FAULT_SIGNAL_AT");
  static Armed kill_redis_at("BIGPE_FAULT_KILL_REDIS_AT");
  static Armed throw_at("BIGPE_FAULT_THROW_AT");
  static const int sig = signal_named(std::getenv("BIGPE_FAULT_SIGNAL"));
  if (kill_at.strikes(name)) ::raise(SIGKILL);
  // To the whole process group, as a terminal's Ctrl-C is, and only once:
  // a second signal means "exit now".
  if (sig != 0 && signal_at.strikes(name)) ::kill(0, sig);
  if (kill_redis_at.strikes(name) && g_redis_pid.load() > 0) ::kill(g_redis_pid.load(), SIGKILL);
  if (throw_at.strikes(name)) throw FaultInjected("fault injected at " + name);
}

}  // namespace bigpe::engine
