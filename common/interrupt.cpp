#include "common/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace bigpe::engine {
namespace {

std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
  if (g_signals.fetch_add(1) >= 1) std::_Exit(130);
}

}  // namespace

void install_interrupt_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupted() { return g_signals.load() > 0; }

}  // namespace bigpe::engine
