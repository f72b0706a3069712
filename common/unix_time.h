#pragma once
// Wall-clock seconds since the Unix epoch, as reports, records and traces
// store them (not for measuring durations: use steady_clock for those).
#include <chrono>

namespace bigpe {

inline double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace bigpe
