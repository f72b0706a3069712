#pragma once
// Words for a STATUS reply's workers, shared by `bigpe status` and the
// scheduler's warning about a service that nothing serves, so that both
// say the same thing.
#include <string>

#include "schemas/messages.h"

namespace bigpe::broker {

// "gpu0 (sim): 1/2 held, suspect, stalled: batch running 130000 ms"
std::string worker_line(const schemas::WorkerStatus& w);

// Who serves `service`: "no worker serves it; 2 workers connected: local-0
// (sim), local-1 (sim)" or "3 workers serve it: ..." (what each is doing).
std::string service_coverage(const schemas::StatusReply& status, const std::string& service);

}  // namespace bigpe::broker
