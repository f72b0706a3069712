#include "bench/scale/scale_bench.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "bench/scale/load_driver.h"
#include "common/child_process.h"
#include "common/free_port.h"

namespace bigpe::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A field of /proc/PID/status in MiB (VmRSS: now, VmHWM: peak).
double proc_mib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  return 0;
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("bench scale: cannot find this executable");
  return std::string(buf, static_cast<std::size_t>(n));
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int run_scale_bench(const ScaleBenchOptions& o, std::ostream& out) {
  if (o.tasks < 1 || o.workers < 1 || o.slots < 1 || o.body_bytes < 1)
    throw std::invalid_argument("bench scale: tasks, workers, slots and body bytes must be positive");
  const std::string clients = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  const std::string workers = "tcp://127.0.0.1:" + std::to_string(free_loopback_port());
  ChildProcessOptions co;
  // Liveness 10 s: a driver busy submitting a million tasks still
  // heartbeats in time.
  co.argv = {o.bigpe_exe.empty() ? self_exe() : o.bigpe_exe, "--log-level", "warn", "broker", "--clients", clients,
             "--workers", workers, "--heartbeat-ms", "1000", "--liveness", "10"};
  ChildProcess broker(co);
  char line[256];

  LoadDriver driver(clients, workers, o.workers, o.slots);
  // Everyone registered: every worker heard from the broker (its HEARTBEAT
  // after READY).
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.timeout_seconds));
  driver.await_registration(deadline);
  const double idle_mib = proc_mib(broker.pid(), "VmRSS");
  std::snprintf(line, sizeof line, "workers: %d connected, %d registered (slots %d); broker pid %d, %.1f MiB resident idle\n",
                o.workers, driver.workers_heard(), o.slots, static_cast<int>(broker.pid()), idle_mib);
  out << line;

  const auto t_submit = Clock::now();
  driver.submit(o.tasks, o.body_bytes, deadline);
  const double submit_s = seconds_since(t_submit);
  const double queued_mib = proc_mib(broker.pid(), "VmRSS");
  const long queued = o.tasks - static_cast<long>(o.workers) * o.slots;
  std::snprintf(line, sizeof line, "queued: %ld tasks of %d bytes accepted in %.1f s (%.0f tasks/s); %ld waiting, %ld held by workers\n",
                o.tasks, o.body_bytes, submit_s, o.tasks / submit_s, std::max(0L, queued),
                std::min<long>(o.tasks, static_cast<long>(o.workers) * o.slots));
  out << line;
  std::snprintf(line, sizeof line, "broker memory: %.1f MiB resident with the queue full (%.0f bytes per queued task)\n",
                queued_mib, (queued_mib - idle_mib) * 1048576.0 / static_cast<double>(o.tasks));
  out << line;
  out.flush();

  const auto t_drain = Clock::now();
  std::vector<long> windows = driver.drain(
      std::chrono::milliseconds(static_cast<long>(o.drain_seconds * 1000)), std::chrono::milliseconds(1000), o.tasks);
  const double drain_s = seconds_since(t_drain);
  const double after_mib = proc_mib(broker.pid(), "VmRSS"), peak_mib = proc_mib(broker.pid(), "VmHWM");
  std::snprintf(line, sizeof line, "dispatch: %ld results in %.1f s (%.0f/s overall)", driver.results(), drain_s,
                driver.results() / drain_s);
  out << line;
  bool collapsed = false;
  if (!windows.empty()) {
    const long lowest = *std::min_element(windows.begin(), windows.end());
    std::snprintf(line, sizeof line, "; per 1 s window: first %ld, last %ld, lowest %ld", windows.front(),
                  windows.back(), lowest);
    out << line;
    collapsed = windows.size() >= 2 && windows.back() * 2 < windows.front();
  }
  out << (collapsed ? " - COLLAPSED\n" : "\n");
  std::snprintf(line, sizeof line, "broker memory: %.1f MiB resident after the drain, %.1f MiB peak\n", after_mib, peak_mib);
  out << line;
  broker.terminate(std::chrono::milliseconds(5000));
  return collapsed || driver.workers_heard() < o.workers ? 1 : 0;
}

}  // namespace bigpe::bench
