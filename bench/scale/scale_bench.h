#pragma once
// The scale benchmark (`bigpe bench scale`): does the broker stay bounded
// and fast with a deep queue and a large fleet? A `bigpe broker` child
// process (so its memory is its own) is loaded by a LoadDriver over
// loopback: `workers` simulated workers register and hold their credit,
// `tasks` tasks are queued, then the workers answer as fast as they can.
// Reported: queued items, workers, submit rate, broker resident memory
// (idle, with the full queue, after the drain; bytes per queued task) and
// the dispatch rate per window (first, last, lowest), which must not
// collapse as the queue drains.
//
// Thread-safety: run_scale_bench() owns everything it starts; call it from
// one thread at a time.
#include <ostream>
#include <string>

namespace bigpe::bench {

struct ScaleBenchOptions {
  long tasks = 1000000;
  int workers = 1000;
  int slots = 1;
  int body_bytes = 64;
  double drain_seconds = 15;   // at most
  double timeout_seconds = 60;  // submitting, at most
  std::string bigpe_exe;        // empty = this executable (/proc/self/exe)
};

// Prints the figures to `out`. Returns 0, or 1 when the dispatch rate
// collapsed (the last window under half the first) or workers are missing.
// Throws std::runtime_error when the broker cannot be started or loaded.
int run_scale_bench(const ScaleBenchOptions& options, std::ostream& out);

}  // namespace bigpe::bench
