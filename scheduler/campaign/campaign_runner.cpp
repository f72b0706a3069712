#include "scheduler/campaign/campaign_runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <thread>

#include "common/json_strict.h"
#include "common/parallel_for.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/campaign/campaign_grid.h"
#include "scheduler/campaign/campaign_spec.h"
#include "scheduler/store/campaign_store.h"
#include "scheduler/report/campaign_summary.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/experiment/experiment_config.h"
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

struct PlannedExperiment {
  CampaignMember member;
  Config config;
};

struct Plan {
  CampaignFile file;
  std::string dir;
  int concurrency = 0;
  std::vector<PlannedExperiment> experiments;
};

std::string variants_json(const CampaignSpec& spec) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const CampaignVariant& v : spec.variants) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    o["name"] = v.name;
    nlohmann::ordered_json set = nlohmann::ordered_json::object();
    for (const SpecSetting& s : v.set) set[s.key] = s.value;
    o["set"] = set;
    a.push_back(o);
  }
  return json::dump_strict(a);
}

RunFile run_file_of(const CampaignFile& c, const CampaignMember& m, const Config& config) {
  RunFile rf;
  rf.experiment_id = m.experiment_id;
  rf.values = config.values();
  rf.infra_dir = "../..";  // experiments/<name>/ -> the campaign folder
  rf.campaign_id = c.campaign_id;
  rf.variant = m.variant;
  rf.repeat = m.repeat;
  return rf;
}

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

// A new campaign folder from the expanded grid.
Plan plan_new(const CampaignSpec& spec, const std::vector<CampaignCell>& cells, const std::string& out_dir) {
  Plan p;
  p.file.campaign_id = new_run_id(spec.name);
  p.file.name = spec.name;
  p.file.file = fs::absolute(spec.file).lexically_normal().string();
  p.file.variants_json = variants_json(spec);
  p.dir = out_dir.empty() ? "runs/" + p.file.campaign_id : out_dir;
  for (const CampaignCell& cell : cells) {  // checked already (check_members)
    CampaignMember m{p.file.campaign_id + "." + cell.name, cell.variant, cell.repeat, "experiments/" + cell.name};
    p.file.members.push_back(m);
    p.experiments.push_back({m, cell.config});
  }
  fs::create_directories(p.dir);
  for (const PlannedExperiment& e : p.experiments) {
    const std::string run_dir = p.dir + "/" + e.member.run_dir;
    fs::create_directories(run_dir);
    write_run_file(run_dir, run_file_of(p.file, e.member, e.config));
  }
  write_campaign_file(p.dir, p.file);  // last: its presence means the folder is complete
  return p;
}

// An existing campaign folder, checked against the campaign file's grid.
Plan plan_existing(const std::vector<CampaignCell>& cells, const std::string& dir) {
  Plan p;
  p.dir = dir;
  p.file = read_campaign_file(dir);
  std::string problems;
  if (p.file.members.size() != cells.size())
    problems += "\n  the grid has " + std::to_string(cells.size()) + " experiments, the campaign " +
                std::to_string(p.file.members.size());
  for (std::size_t i = 0; i < cells.size() && i < p.file.members.size(); ++i) {
    const CampaignMember& m = p.file.members[i];
    if (m.run_dir != "experiments/" + cells[i].name) {
      problems += "\n  experiment " + std::to_string(i + 1) + ": stored " + m.run_dir + ", now experiments/" + cells[i].name;
      continue;
    }
    RunFile rf = read_run_file(dir + "/" + m.run_dir);
    Config stored = Config::from_values(rf.values, experiment_schema(), dir + "/" + m.run_dir + "/run.json");
    for (const std::string& k : stored.result_affecting_differences(cells[i].config))
      problems += "\n  " + cells[i].name + ": " + k + ": stored '" + stored.values().at(k) + "', now '" +
                  cells[i].config.values().at(k) + "'";
    p.experiments.push_back({m, cells[i].config});
  }
  if (!problems.empty())
    throw std::runtime_error("campaign " + p.file.campaign_id + " in " + dir +
                             ": the campaign file changes its experiments; refusing to resume. Differences:" +
                             problems);
  for (const PlannedExperiment& e : p.experiments)
    write_run_file(dir + "/" + e.member.run_dir, run_file_of(p.file, e.member, e.config));
  return p;
}

// Console lines worth showing from an experiment's output (the rest goes to
// its log.txt only).
bool for_console(const std::string& line) {
  return line.rfind("iter ", 0) == 0 || line.rfind("resuming ", 0) == 0 || line.rfind("evaluating", 0) == 0;
}

CampaignOutcome execute_campaign(const Plan& plan, std::ostream& out) {
  CampaignOutcome outcome{0, plan.file.campaign_id, plan.dir};
  if (plan.experiments.empty()) throw std::runtime_error("campaign " + plan.file.campaign_id + " has no experiments");
  install_interrupt_handlers();
  RunLock lock = RunLock::acquire(plan.dir);
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
  }

  const std::size_t n = plan.experiments.size();
  const std::size_t threads =
      plan.concurrency > 0 ? std::min<std::size_t>(static_cast<std::size_t>(plan.concurrency), n) : n;
  out << "campaign " << plan.file.campaign_id << ": " << n << " experiments, " << threads
      << " at a time, on " << infra.describe() << " -> " << plan.dir << "\n";
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
    std::ofstream log(job.run_dir + "/log.txt", std::ios::app);
    {
      LineSink sink([&](const std::string& line) {
        log << line << "\n";
        if (!for_console(line)) return;
        std::lock_guard<std::mutex> g(console);
        out << "[" << name << "] " << line << "\n";
        out.flush();
      });
      outcomes[i] = execute_experiment(job, infra, sink);
    }
    log.flush();
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
      << campaign_table_text(rows) << "tables: " << plan.dir << "/summary.md, " << plan.dir << "/table.csv, "
      << plan.dir << "/summary.csv\n";
  if (finished != n) out << "resume with: bigpe resume " << plan.dir << "\n";
  return outcome;
}

}  // namespace

CampaignOutcome run_campaign(const std::string& file, bool resume, const std::string& out_dir,
                             const std::vector<std::string>& overrides, std::ostream& out) {
  try {
    CampaignSpec spec = load_campaign_spec(file);
    for (const std::string& o : overrides) {
      auto eq = o.find('=');
      if (eq == std::string::npos) throw ConfigError("override '" + o + "': expected key=value");
      spec.set.push_back({o.substr(0, eq), o.substr(eq + 1), -1});
    }
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
    return execute_campaign(plan, out);
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
    return execute_campaign(plan, out);
  } catch (const std::exception& e) {
    out << "bigpe resume: " << e.what() << "\n";
    return CampaignOutcome{1, "", ""};
  }
}

}  // namespace bigpe::engine
