#include "bench/scheduler/scheduler_bench.h"

#include <cmath>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "common/file_io.h"
#include "common/json_access.h"
#include "common/json_strict.h"
#include "scheduler/campaign/campaign_runner.h"
#include "scheduler/run/experiment_runner.h"

namespace bigpe::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

template <class... Args>
std::string format(const char* fmt, Args... args) {
  char line[256];
  std::snprintf(line, sizeof line, fmt, args...);
  return line;
}

// One experiment's loop as its report.json timed it.
struct LoopTiming {
  double wall_s = 0, busy_s = 0, sched_s = 0, start_unix_s = 0, end_unix_s = 0;
  long renders = 0;
  int iterations = 0;
  // Sums over the iterations: the critical-path limit and its two bounds,
  // and the floor no engine can go below.
  double limit_s = 0, chain_s = 0, work_s = 0, floor_s = 0;
  // Every LLM call's latency, and every role's longest call plus one
  // render (the chain no number of slots shortens), summed over iterations.
  double llm_latency_s = 0, longest_chain_s = 0;
};

LoopTiming read_timing(const fs::path& report_path, int workers, std::ostream* per_iteration) {
  ordered_json report = json::parse_strict(read_file(report_path.string()));
  const ordered_json& t = report.at("timing");
  LoopTiming lt;
  lt.wall_s = t.at("loop_wall_s").get<double>();
  lt.busy_s = t.at("worker_busy_s").get<double>();
  lt.sched_s = t.at("scheduler_s").get<double>();
  lt.start_unix_s = t.at("loop_start_unix_s").get<double>();
  lt.end_unix_s = t.at("loop_end_unix_s").get<double>();
  lt.iterations = static_cast<int>(json::require_int(t, "loop_iterations"));
  lt.renders = static_cast<long>(json::require_int(report.at("renders"), "done"));
  const double concurrency = static_cast<double>(std::max<int64_t>(1, json::require_int(t, "llm_server_concurrency")));
  // One render's time, measured: the arms' renders sit between the generator
  // and the gradient calculator, and the last of them takes at least this.
  const double render_s = lt.renders > 0 ? lt.busy_s / static_cast<double>(lt.renders) : 0.0;
  if (per_iteration) *per_iteration << "iter  wall_s  limit_s  llm_chain_s  render_work_s  floor_s  limit/wall\n";
  int n = 0;
  for (const ordered_json& it : t.at("iterations")) {
    // Roles run one after another; a role's calls can go no faster than
    // its longest call, nor than the server's slots allow. An engine that
    // overlaps the roles (llm.overlap) can beat that chain, but not the
    // floor: every role's longest call in a row, every call's latency
    // over the slots, and the render work.
    double chain_ms = 0, longest_ms = 0, total_ms = 0;
    for (const ordered_json& st : it.at("llm")) {
      const double max_ms = st.at("latency_max_ms").get<double>(), sum_ms = st.at("latency_sum_ms").get<double>();
      chain_ms += std::max(max_ms, sum_ms / concurrency);
      longest_ms += max_ms;
      total_ms += sum_ms;
    }
    const double chain_s = chain_ms / 1000.0 + render_s;
    const double work_s = it.at("worker_busy_s").get<double>() / workers;  // every worker busy throughout
    const double wall = it.at("wall_s").get<double>();
    const double limit = std::max(chain_s, work_s);
    const double floor = std::max({longest_ms / 1000.0 + render_s, total_ms / 1000.0 / concurrency, work_s});
    lt.limit_s += limit;
    lt.chain_s += chain_s;
    lt.work_s += work_s;
    lt.floor_s += floor;
    lt.llm_latency_s += total_ms / 1000.0;
    lt.longest_chain_s += longest_ms / 1000.0 + render_s;
    if (per_iteration)
      *per_iteration << format("%4d  %6.2f  %7.2f  %11.2f  %13.2f  %7.2f  %10.3f\n", ++n, wall, limit, chain_s, work_s,
                               floor, wall > 0 ? limit / wall : 0.0);
  }
  return lt;
}

std::vector<std::string> bench_overrides(const SchedulerBenchOptions& o) {
  std::vector<std::string> v = {
      "iterations=" + std::to_string(o.iterations),
      "batch_size=" + std::to_string(o.batch),
      "local_workers=" + std::to_string(o.workers),
      "worker_slots=2",
      "sim.cost_ms=" + std::to_string(o.cost_ms),
      "render.prefetch=" + std::string(o.prefetch ? "true" : "false"),
      "llm.overlap=" + std::string(o.overlap ? "true" : "false"),
      "eval.enabled=false",
      "write_images=false",
  };
  if (o.llm_latency_ms > 0) {
    v.push_back("llm.sim_latency_ms=" + std::to_string(o.llm_latency_ms));
    v.push_back("llm.sim_latency_sd_ms=" + std::to_string(o.llm_latency_sd_ms));
    v.push_back("llm.sim_max_concurrency=" + std::to_string(o.llm_concurrency));
    // The engine's own bound on calls at once; without latency it keeps its default.
    v.push_back("llm.max_concurrent=" + std::to_string(o.llm_concurrency));
  }
  return v;
}

void print_summary(const SchedulerBenchOptions& o, const LoopTiming& sum, double span_s, int experiments,
                   std::ostream& out) {
  const double iterations = std::max(1, sum.iterations);
  out << format("renders %ld in %.2f s (%.0f per iteration); worker busy %.1f s of %.1f s available\n",
                sum.renders, span_s, sum.renders / iterations, sum.busy_s, o.workers * span_s);
  out << format("wall per iteration: %.2f s; critical-path limit per iteration: %.2f s (LLM chain + one render "
                "%.2f s, render work over the workers %.2f s); limit / wall = %.3f\n",
                sum.wall_s / iterations, sum.limit_s / iterations, sum.chain_s / iterations, sum.work_s / iterations,
                sum.wall_s > 0 ? sum.limit_s / sum.wall_s : 0.0);
  out << format("floor per iteration for any engine: %.2f s (floor / wall = %.3f)\n", sum.floor_s / iterations,
                sum.wall_s > 0 ? sum.floor_s / sum.wall_s : 0.0);
  if (experiments > 1) out << "(per iteration: averaged over the " << experiments << " experiments' iterations)\n";
  out << format("scheduler time per iteration: %.1f ms (%.1f%% of the loop)\n", 1000.0 * sum.sched_s / iterations,
                100.0 * sum.sched_s / std::max(1e-9, sum.wall_s));
  if (o.llm_latency_ms > 0 && sum.busy_s > 0 && sum.iterations > 0) {
    // What 0.9 busy workers would take at these costs: enough experiments
    // that their render work fills the workers during one chain, and
    // enough server slots for their calls (latency-seconds per
    // worker-second of renders, times 0.9 of the workers).
    const double work_per_iteration = sum.busy_s / iterations;
    const double chain = sum.longest_chain_s / iterations;
    const double experiments_needed = std::ceil(0.9 * chain * o.workers / work_per_iteration);
    const double slots_needed = std::ceil(0.9 * o.workers * sum.llm_latency_s / sum.busy_s);
    out << format("LLM server floor: %.1f s of calls over %d slots = %.2f s of the %.2f s span (%.3f)\n",
                  sum.llm_latency_s, o.llm_concurrency, sum.llm_latency_s / o.llm_concurrency, span_s,
                  span_s > 0 ? sum.llm_latency_s / o.llm_concurrency / span_s : 0.0);
    out << format("to keep the workers 0.9 busy at these costs: about %.0f experiments at once and %.0f LLM "
                  "server slots\n", experiments_needed, slots_needed);
  }
  out << format("utilization=%.4f\n", sum.busy_s / (o.workers * span_s));
}

int run_one(const SchedulerBenchOptions& o, const fs::path& dir, std::ostream& out) {
  const std::string config = (dir / "bench.yaml").string();
  std::ofstream(config) << "name: bench-scheduler\n";
  std::vector<std::string> overrides = bench_overrides(o);
  overrides.push_back("out=" + (dir / "run").string());
  std::ostringstream log;
  RunOutcome r = run_experiment(config, overrides, log);
  if (r.exit_code != 0) {
    out << log.str() << "bench scheduler: the experiment did not finish\n";
    return 1;
  }
  LoopTiming t = read_timing(dir / "run" / "report.json", o.workers, &out);
  print_summary(o, t, t.wall_s, 1, out);
  return 0;
}

int run_many(const SchedulerBenchOptions& o, const fs::path& dir, std::ostream& out) {
  std::ofstream(dir / "bench.yaml") << "name: bench-scheduler\n";
  const std::string file = (dir / "bench.campaign.yaml").string();
  std::ofstream(file) << "name: bench-campaign\nbase: bench.yaml\nvariants:\n  - name: paper\nrepeats: "
                      << o.experiments << "\nconcurrency: 0\n";
  std::ostringstream log;
  CampaignOutcome c = run_campaign(file, false, (dir / "campaign").string(), bench_overrides(o), log);
  if (c.exit_code != 0) {
    out << log.str() << "bench scheduler: the campaign did not finish\n";
    return 1;
  }
  LoopTiming sum;
  double first_start = 0, last_end = 0;
  int k = 0;
  for (const auto& e : fs::directory_iterator(dir / "campaign" / "experiments")) {
    LoopTiming t = read_timing(e.path() / "report.json", o.workers, nullptr);
    first_start = k == 0 ? t.start_unix_s : std::min(first_start, t.start_unix_s);
    last_end = k == 0 ? t.end_unix_s : std::max(last_end, t.end_unix_s);
    ++k;
    out << format("experiment %d: %d iterations, %.2f s per iteration, limit %.2f s per iteration\n", k,
                  t.iterations, t.wall_s / std::max(1, t.iterations), t.limit_s / std::max(1, t.iterations));
    sum.wall_s += t.wall_s;
    sum.busy_s += t.busy_s;
    sum.sched_s += t.sched_s;
    sum.renders += t.renders;
    sum.iterations += t.iterations;
    sum.limit_s += t.limit_s;
    sum.chain_s += t.chain_s;
    sum.work_s += t.work_s;
    sum.floor_s += t.floor_s;
    sum.llm_latency_s += t.llm_latency_s;
    sum.longest_chain_s += t.longest_chain_s;
  }
  // Utilization over the span from the first loop's start to the last one's end.
  print_summary(o, sum, last_end - first_start, k, out);
  return 0;
}

}  // namespace

int run_scheduler_bench(const SchedulerBenchOptions& o, std::ostream& out) {
  if (o.experiments < 1 || o.llm_latency_ms < 0 || o.llm_latency_sd_ms < 0 || o.llm_concurrency < 1) {
    out << "bench scheduler: --experiments and --llm-concurrency must be at least 1, latencies at least 0\n";
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / ("bigpe-bench-scheduler-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  out << "bench scheduler: " << o.workers << " sim workers at " << o.cost_ms << " ms per render, batch " << o.batch
      << ", " << o.iterations << " iterations" << (o.prefetch ? "" : " (no prefetch)") << (o.overlap ? "" : " (no overlap)");
  if (o.experiments > 1) out << ", " << o.experiments << " experiments sharing the workers";
  if (o.llm_latency_ms > 0)
    out << "; LLM " << o.llm_latency_ms << " ms (sd " << o.llm_latency_sd_ms << ") per call, " << o.llm_concurrency
        << " at once";
  out << "\n";
  int code = 1;
  try {
    code = o.experiments > 1 ? run_many(o, dir, out) : run_one(o, dir, out);
  } catch (const std::exception& e) {
    out << "bench scheduler: " << e.what() << "\n";
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return code;
}

}  // namespace bigpe::engine
