#pragma once
// What defines the result of a small `bigpe run` or `bigpe campaign` in the
// end-to-end tests, read from its output or folder, so that a disturbed run
// (interrupted, a dependency lost, then resumed) is compared with an
// undisturbed one on exactly that. Header-only (see bigpe_invocation.h).
//
// Thread-safety: pure functions.
#include <map>
#include <string>
#include <vector>

#include "tests/support/csv_reader.h"

namespace bigpe::testing {

// `bigpe run experiments/quickstart.yaml` made small: 3 iterations, batch
// 2, no sim cost, 2 evaluation seeds, no images, into `out`.
inline std::vector<std::string> small_run_args(const std::string& out) {
  return {"run",          "experiments/quickstart.yaml", "out=" + out,         "iterations=3", "batch_size=2",
          "sim.cost_ms=0", "eval.seeds=2",               "write_images=false"};
}

// The final instruction and the held-out table of a run's output.
inline std::string run_result(const std::string& output) {
  const std::size_t from = output.find("final instruction (");
  const std::size_t to = output.find("renders: ", from);
  return from == std::string::npos ? "(no result in:\n" + output + ")" : output.substr(from, to - from);
}

// The result columns of a campaign folder's summary.csv by experiment (ids
// and render counters differ between runs of the same campaign).
inline std::map<std::string, std::string> campaign_results(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& row : read_csv_rows(dir + "/summary.csv")) {
    std::string r;
    for (const char* c : {"status", "iterations", "last_best", "plain", "baseline", "professional", "optimized"})
      r += std::string(c) + "=" + row[c] + ";";
    out[row["variant"] + ".r" + row["repeat"]] = r;
  }
  return out;
}

// Neither an exception that escaped a thread nor a crash.
inline bool ended_by_its_own_code(const std::string& output) {
  return output.find("terminate called") == std::string::npos && output.find("core dumped") == std::string::npos;
}

}  // namespace bigpe::testing
