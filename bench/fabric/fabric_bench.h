#pragma once
// The fabric benchmark (`bigpe bench fabric`): how much of raw ZeroMQ's
// message rate survives the broker, the workers and Redis. Three phases,
// each for a fixed time with the same payload size and in-flight window:
//   raw        ROUTER <-> 2 DEALER threads echoing (the ceiling);
//   broker     BrokerClient -> in-process Broker -> 2 local workers running
//              zero-cost sim tasks, nothing persisted (over inproc, as
//              `bigpe run` connects them; --tcp for loopback TCP);
//   persisted  the same, each result stored in a private redis-server
//              before the reply.
// A phase's rate is round trips (tasks answered) per second.
//
// Thread-safety: run_fabric_bench() owns everything it starts; call it
// from one thread at a time.
#include <ostream>

namespace bigpe::bench {

struct FabricBenchOptions {
  double seconds = 2.0;  // per phase
  int window = 64;       // messages / tasks in flight
  int payload = 256;     // bytes per message (the encoded task body)
  int workers = 2;
  bool thread_cpu = false;  // also print CPU per round trip for each thread name
  // Client and workers reach the in-process broker the way `bigpe run`'s
  // embedded mode does: inproc when true, loopback TCP when false.
  bool inproc = true;
};

struct FabricBenchResult {
  double raw_rate = 0;
  double broker_rate = 0;
  double persisted_rate = 0;
  double ratio() const { return raw_rate > 0 ? persisted_rate / raw_rate : 0; }
};

// Runs the three phases, printing one line per phase to `out` and, last,
// "ratio=<persisted / raw>". Throws std::invalid_argument naming a bad
// option, std::runtime_error when redis-server cannot start.
FabricBenchResult run_fabric_bench(const FabricBenchOptions& options, std::ostream& out);

}  // namespace bigpe::bench
