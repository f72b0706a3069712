#include "common/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace bigpe::engine {
namespace {

std::atomic<int> g_signals{0};
std::atomic<int> g_first{0};

extern "C" void on_signal(int sig) {
  int none = 0;
  g_first.compare_exchange_strong(none, sig);
  if (g_signals.fetch_add(1) >= 1) std::_Exit(128 + g_first.load());
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupted() { return g_signals.load() > 0; }

int interrupt_exit_code() {
  const int sig = g_first.load();
  return sig == 0 ? 0 : 128 + sig;
}

Interrupted::Interrupted()
    : what_(g_first.load() == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT") {}

}  // namespace bigpe::engine
