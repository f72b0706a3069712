#include "bench/scheduler/scheduler_bench.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "common/json_access.h"
#include "common/file_io.h"
#include "common/json_strict.h"
#include "scheduler/run/experiment_runner.h"

namespace bigpe::engine {

int run_scheduler_bench(const SchedulerBenchOptions& o, std::ostream& out) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("bigpe-bench-scheduler-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string config = (dir / "bench.yaml").string();
  std::ofstream(config) << "name: bench-scheduler\n";
  std::vector<std::string> overrides = {
      "out=" + (dir / "run").string(),
      "iterations=" + std::to_string(o.iterations),
      "batch_size=" + std::to_string(o.batch),
      "local_workers=" + std::to_string(o.workers),
      "worker_slots=2",
      "sim.cost_ms=" + std::to_string(o.cost_ms),
      "render.prefetch=" + std::string(o.prefetch ? "true" : "false"),
      "eval.enabled=false",
      "write_images=false",
  };
  out << "bench scheduler: " << o.workers << " sim workers at " << o.cost_ms << " ms per render, batch "
      << o.batch << ", " << o.iterations << " iterations" << (o.prefetch ? "" : " (no prefetch)") << "\n";
  std::ostringstream log;
  RunOutcome r = run_experiment(config, overrides, log);
  int code = 0;
  if (r.exit_code != 0) {
    out << log.str() << "bench scheduler: the experiment did not finish\n";
    code = 1;
  } else {
    nlohmann::ordered_json report = json::parse_strict(read_file((dir / "run" / "report.json").string()));
    const nlohmann::ordered_json& t = report.at("timing");
    double wall = t.at("loop_wall_s").get<double>();
    double busy = t.at("worker_busy_s").get<double>();
    double sched = t.at("scheduler_s").get<double>();
    int iters = static_cast<int>(json::require_int(t, "loop_iterations"));
    long renders = static_cast<long>(json::require_int(report.at("renders"), "done"));
    double utilization = busy / (o.workers * wall);
    char line[256];
    std::snprintf(line, sizeof line,
                  "renders %ld in %.2f s (%.0f per iteration); worker busy %.1f s of %.1f s available\n",
                  renders, wall, static_cast<double>(renders) / iters, busy, o.workers * wall);
    out << line;
    std::snprintf(line, sizeof line, "scheduler time per iteration: %.1f ms (%.1f%% of the loop)\n",
                  1000.0 * sched / iters, 100.0 * sched / wall);
    out << line;
    std::snprintf(line, sizeof line, "utilization=%.4f\n", utilization);
    out << line;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return code;
}

}  // namespace bigpe::engine
