#pragma once
// Named points where a fault test strikes, so that tests interrupt a run at
// an exact place without timing guesses. Each variable names a point:
//   BIGPE_FAULT_KILL_AT: the process sends itself SIGKILL there;
//   BIGPE_FAULT_SIGNAL_AT: it sends BIGPE_FAULT_SIGNAL (INT, the default, or
//     TERM) once to its process group, as Ctrl-C in a terminal or a
//     supervisor's stop would;
//   BIGPE_FAULT_KILL_REDIS_AT: it SIGKILLs its private redis-server once
//     (the one announced with set_fault_redis_pid), as an OOM kill would;
//   BIGPE_FAULT_THROW_AT: fault_point throws FaultInjected once, as a
//     thread's unexpected failure would.
// A point is a name ("iter:3:rendered") or NAME#N: the Nth time that name
// is reached ("broker:result#40"). Unset variables cost one comparison.
#include <stdexcept>
#include <string>

namespace bigpe::engine {

// Thread-safe.
void fault_point(const std::string& name);

// The process's private redis-server (0: none now), for
// BIGPE_FAULT_KILL_REDIS_AT. Thread-safe.
void set_fault_redis_pid(int pid);

// Thrown at a BIGPE_FAULT_THROW_AT point. Code that drops a peer's bad
// message on any std::exception lets this one through: it stands for the
// thread itself failing.
class FaultInjected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bigpe::engine
