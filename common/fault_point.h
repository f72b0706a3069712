#pragma once
// Named points where a fault test may kill the scheduler: when the
// environment variable BIGPE_FAULT_KILL_AT equals the point's name (e.g.
// "iter:3:rendered"), the process sends itself SIGKILL there. This is how
// resume tests interrupt a run at an exact place without timing guesses.
// BIGPE_FAULT_SIGNAL_AT names a point where the process sends
// BIGPE_FAULT_SIGNAL (INT, the default, or TERM) once to its process group,
// as Ctrl-C in a terminal or a supervisor's stop would.
#include <string>

namespace bigpe::engine {

void fault_point(const std::string& name);

}  // namespace bigpe::engine
