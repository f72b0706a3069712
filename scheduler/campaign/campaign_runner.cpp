#include "scheduler/campaign/campaign_runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <ostream>
#include <thread>

#include "common/parallel_for.h"
#include "scheduler/campaign/campaign_plan.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/campaign/campaign_grid.h"
#include "scheduler/campaign/campaign_spec.h"
#include "scheduler/store/campaign_store.h"
#include "scheduler/report/campaign_summary.h"
#include "scheduler/report/judge_gains.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/run/console_log.h"
#include "scheduler/run/experiment_runner.h"
#include "scheduler/run/infrastructure.h"
#include "common/interrupt.h"
#include "scheduler/run/line_sink.h"
#include "scheduler/store/live_endpoints.h"
#include "scheduler/store/run_folder.h"
#include "scheduler/store/run_lock.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

// check_experiment() over every member before anything is created; a
// problem that the members share (one in the base file) is listed once.
void check_members(const std::vector<const Config*>& configs) {
  std::vector<std::string> all;
  for (const Config* c : configs)
    for (const std::string& p : experiment_problems(*c))
      if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(p);
  refuse_config_problems(all);
}

void apply_overrides(Config& config, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) throw ConfigError("override '" + o + "': expected key=value");
    config.set(o.substr(0, eq), o.substr(eq + 1));
  }
}

// Console lines worth showing from an experiment's output (the rest goes to
// its console.log only).
bool for_console(const std::string& line) {
  return line.rfind("iter ", 0) == 0 || line.rfind("resuming ", 0) == 0 || line.rfind("evaluating", 0) == 0;
}

// The campaign over its infrastructure, once the folder is locked; `out`
// reaches the console and the campaign's console.log.
CampaignOutcome execute_locked(const Plan& plan, const std::string& command, std::ostream& out) {
  CampaignOutcome outcome{0, plan.file.campaign_id, plan.dir};
  const ExperimentSettings shared = settings_from(plan.experiments.front().config);
  Infrastructure infra(shared, fs::absolute(plan.dir).string());
  LiveEndpointsFile live(plan.dir, {infra.redis().url_without_password(), infra.client_endpoint(),
                                    static_cast<long>(::getpid())});
  RedisClient redis(infra.redis());
  CampaignStore store(redis, plan.file.campaign_id);
  if (!store.exists()) {
    CampaignRecord r;
    r.campaign_id = plan.file.campaign_id;
    r.name = plan.file.name;
    r.file = plan.file.file;
    r.variants_json = plan.file.variants_json;
    r.experiments = plan.file.members;
    store.create(r);
  } else {
    store.set_status("running", "");
    store.set_experiments(plan.file.members);  // grown when repeats were added
  }

  const std::size_t n = plan.experiments.size();
  const std::size_t threads =
      plan.concurrency > 0 ? std::min<std::size_t>(static_cast<std::size_t>(plan.concurrency), n) : n;
  out << "campaign " << plan.file.campaign_id << ": " << n << " experiments, " << threads
      << " at a time, on " << infra.describe() << " -> " << plan.dir << "\n";
  if (plan.added > 0)
    out << "campaign " << plan.file.campaign_id << ": " << plan.added
        << " new experiments (added repeats); finished ones are kept\n";
  out.flush();

  std::mutex console;
  std::vector<RunOutcome> outcomes(n);
  std::atomic<std::size_t> done{0};
  parallel_for(n, static_cast<int>(threads), [&](std::size_t i) {
    const PlannedExperiment& e = plan.experiments[i];
    const std::string name = fs::path(e.member.run_dir).filename().string();
    // Stopping, or what the experiments run on is gone: start nothing new.
    const std::string lost = infra.failure();
    if (interrupted() || !lost.empty()) {
      outcomes[i] = RunOutcome{interrupted() ? interrupt_exit_code() : 2, e.member.experiment_id,
                               plan.dir + "/" + e.member.run_dir, "not started"};
      std::lock_guard<std::mutex> g(console);
      out << "[" << name << "] stopped: not started" << (lost.empty() ? "" : " (" + lost + ")") << " (" << ++done
          << "/" << n << " done)\n";
      out.flush();
      return;
    }
    ExperimentJob job;
    job.run_dir = plan.dir + "/" + e.member.run_dir;
    job.experiment_id = e.member.experiment_id;
    job.config = e.config;
    job.fresh = true;
    job.campaign_id = plan.file.campaign_id;
    job.variant = e.member.variant;
    job.repeat = e.member.repeat;
    {
      ConsoleLog log(job.run_dir, command, ConsoleLog::Scope::kThread);
      LineSink sink([&](const std::string& line) {
        log.line(line);
        if (!for_console(line)) return;
        std::lock_guard<std::mutex> g(console);
        out << "[" << name << "] " << line << "\n";
        out.flush();
      });
      outcomes[i] = execute_experiment(job, infra, sink);
    }
    std::lock_guard<std::mutex> g(console);
    ++done;
    out << "[" << name << "] "
        << (outcomes[i].exit_code == 0   ? "finished"
            : outcomes[i].exit_code == 1 ? "refused: "
                                         : "stopped: ")
        << outcomes[i].message << " (" << done.load() << "/" << n << " done)\n";
    out.flush();
  });

  std::size_t finished = 0, refused = 0;
  for (const RunOutcome& o : outcomes) {
    if (o.exit_code == 0) ++finished;
    if (o.exit_code == 1) ++refused;
  }
  if (finished != n) outcome.exit_code = interrupted() ? interrupt_exit_code() : refused > 0 ? 1 : 2;
  std::vector<ExperimentSummary> rows;
  try {
    rows = collect_summaries(redis, plan.file.members);
    write_campaign_summary(plan.dir, plan.file.campaign_id, rows);
    if (finished == n)
      store.set_status("finished", "");
    else
      store.set_status("stopped",
                       std::to_string(n - finished) + " of " + std::to_string(n) + " experiments did not finish");
  } catch (const RedisError& e) {
    // Redis went with the experiments (it is why they stopped): what they
    // committed is in its file, and the resume writes the tables.
    out << "\ncampaign " << plan.file.campaign_id << ": " << finished << "/" << n
        << " experiments finished; no summary written: " << e.what() << "\nresume with: bigpe resume "
        << plan.dir << "\n";
    if (outcome.exit_code == 0) outcome.exit_code = 2;
    return outcome;
  }
  out << "\ncampaign " << plan.file.campaign_id << ": " << finished << "/" << n << " experiments finished\n"
      << campaign_table_text(rows) << campaign_llm_line(rows) << "\n" << "tables: " << plan.dir << "/summary.md, " << plan.dir << "/table.csv, "
      << plan.dir << "/summary.csv" << (judge_names(rows).empty() ? "" : ", " + plan.dir + "/judges.csv") << "\n";
  if (finished != n) out << "resume with: bigpe resume " << plan.dir << "\n";
  return outcome;
}

// `command` ("bigpe campaign", "bigpe resume") prefixes its errors and names
// the session in the console logs: the campaign's own (everything on the
// console) and one per experiment (its whole output, with the log lines of
// its thread).
CampaignOutcome execute_campaign(const Plan& plan, const std::string& command, std::ostream& console) {
  if (plan.experiments.empty()) throw std::runtime_error("campaign " + plan.file.campaign_id + " has no experiments");
  install_interrupt_handlers();
  RunLock lock = RunLock::acquire(plan.dir);
  ConsoleLog campaign_log(plan.dir, command, ConsoleLog::Scope::kProcess);
  LineSink out([&](const std::string& line) {
    console << line << "\n";
    console.flush();
    campaign_log.line(line);
  });
  try {
    return execute_locked(plan, command, out);
  } catch (const std::exception& e) {
    out << command << ": " << e.what() << "\n";
    return CampaignOutcome{1, "", ""};
  }
}

}  // namespace

CampaignOutcome run_campaign(const std::string& file, bool resume, const std::string& out_dir,
                             const std::vector<std::string>& overrides, std::ostream& out) {
  try {
    CampaignSpec spec = load_campaign_spec(file);
    for (const std::string& o : overrides) apply_campaign_override(spec, o);
    std::vector<CampaignCell> cells = expand_campaign(spec);
    std::vector<const Config*> configs;
    for (const CampaignCell& cell : cells) configs.push_back(&cell.config);
    check_members(configs);
    std::string dir = out_dir;
    if (dir.empty() && resume) {
      dir = find_latest_campaign("runs", spec.name);
      if (dir.empty())
        throw std::runtime_error("no campaign named '" + spec.name + "' under runs/ to resume (give --out DIR)");
    }
    Plan plan;
    if (!dir.empty() && has_campaign_file(dir)) {
      plan = plan_existing(cells, dir);
    } else {
      if (resume) throw std::runtime_error(dir + ": no campaign to resume (no campaign.json)");
      plan = plan_new(spec, cells, dir);
    }
    plan.concurrency = spec.concurrency;
    return execute_campaign(plan, "bigpe campaign", out);
  } catch (const std::exception& e) {
    out << "bigpe campaign: " << e.what() << "\n";
    return CampaignOutcome{1, "", ""};
  }
}

CampaignOutcome resume_campaign(const std::string& dir, const std::vector<std::string>& overrides,
                                std::ostream& out) {
  try {
    Plan plan;
    plan.dir = dir;
    plan.file = read_campaign_file(dir);
    for (const std::string& o : overrides)
      if (o.rfind("repeats=", 0) == 0)
        throw ConfigError("override '" + o + "': a campaign's repeats grow from its file: bigpe campaign " +
                          (plan.file.file.empty() ? std::string("FILE") : plan.file.file) + " --out " + dir + " " + o);
    for (const CampaignMember& m : plan.file.members) {
      const std::string run_dir = dir + "/" + m.run_dir;
      RunFile rf = read_run_file(run_dir);
      Config config = Config::from_values(rf.values, experiment_schema(), run_dir + "/run.json");
      Config before = config;
      apply_overrides(config, overrides);
      std::vector<std::string> diff = before.result_affecting_differences(config);
      if (!diff.empty())
        throw std::runtime_error("override of '" + diff.front() +
                                 "' changes the experiments' meaning; only infrastructure keys may change on resume");
      plan.experiments.push_back({m, config});
    }
    std::vector<const Config*> configs;
    for (const PlannedExperiment& e : plan.experiments) configs.push_back(&e.config);
    check_members(configs);
    try {
      plan.concurrency = load_campaign_spec(plan.file.file).concurrency;
    } catch (const std::exception&) {
      plan.concurrency = 0;  // the campaign file moved: run all at once
    }
    return execute_campaign(plan, "bigpe resume", out);
  } catch (const std::exception& e) {
    out << "bigpe resume: " << e.what() << "\n";
    return CampaignOutcome{1, "", ""};
  }
}

}  // namespace bigpe::engine
