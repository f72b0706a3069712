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

// Runs `bigpe --log-level warn ARGS...` in the source tree, to completion
// or `limit`, whichever comes first.
inline Invocation run_bigpe(const std::vector<std::string>& args, const std::string& log_path,
                            const std::map<std::string, std::string>& env = {},
                            std::chrono::seconds limit = std::chrono::seconds(240)) {
  ChildProcess p(bigpe_options(args, log_path, env));
  std::optional<int> code = p.wait(limit);
  if (!code) {
    p.kill();
    return {-1, read_text_file(log_path) + "\n(killed at the test's limit)"};
  }
  return {*code, read_text_file(log_path)};
}

}  // namespace bigpe::testing
