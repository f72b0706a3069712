#pragma once
// Running the real `bigpe` executable from a test: bounded (a child that
// outlives its limit is killed and the result says so), with stdout and
// stderr captured to a log file in the test's TempDir. Header-only because
// it needs BIGPE_EXE, which only test executables define.
//
// Thread-safety: none needed (each call owns its child).
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/child_process.h"

namespace bigpe::testing {

struct Invocation {
  int exit_code = -1;  // -1: killed at the limit
  std::string output;
};

inline std::string read_text_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Lines of a text file, without their "\n".
inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  return lines;
}

inline ChildProcessOptions bigpe_options(const std::vector<std::string>& args, const std::string& log_path,
                                         const std::map<std::string, std::string>& env = {}) {
  ChildProcessOptions o;
  o.argv = {BIGPE_EXE, "--log-level", "warn"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = env;
  o.stdout_path = log_path;
  o.stderr_path = log_path;
  o.working_dir = BIGPE_SOURCE_DIR;
  return o;
}

// Runs a child made from `options` (its stdout_path is the log) to
// completion or `limit`, whichever comes first.
inline Invocation run_child(const ChildProcessOptions& options,
                            std::chrono::seconds limit = std::chrono::seconds(240)) {
  ChildProcess p(options);
  std::optional<int> code = p.wait(limit);
  if (!code) {
    p.kill();
    return {-1, read_text_file(options.stdout_path) + "\n(killed at the test's limit)"};
  }
  return {*code, read_text_file(options.stdout_path)};
}

// Runs `bigpe --log-level warn ARGS...` in the source tree, to completion
// or `limit`, whichever comes first.
inline Invocation run_bigpe(const std::vector<std::string>& args, const std::string& log_path,
                            const std::map<std::string, std::string>& env = {},
                            std::chrono::seconds limit = std::chrono::seconds(240)) {
  return run_child(bigpe_options(args, log_path, env), limit);
}

// A small campaign file in `dir` over experiments/quickstart.yaml: 2
// iterations, batch 2, no sim cost, variants ucb and greedy, `extra`
// appended (repeats, seeds, concurrency); `set` lines (each "  key: value\n")
// go into the grid's shared settings.
inline std::string write_small_campaign(const std::string& dir, const std::string& extra,
                                        const std::string& set = "") {
  const std::string path = dir + "/small.campaign.yaml";
  std::ofstream(path) << "name: small\n"
                      << "base: " << BIGPE_SOURCE_DIR << "/experiments/quickstart.yaml\n"
                      << "set:\n  iterations: 2\n  batch_size: 2\n  sim.cost_ms: 0\n  eval.seeds: 2\n"
                      << "  write_images: false\n"
                      << set
                      << "variants:\n"
                      << "  - name: ucb\n    set: {selector.kind: ucb}\n"
                      << "  - name: greedy\n    set: {selector.kind: greedy}\n"
                      << extra;
  return path;
}

}  // namespace bigpe::testing
