#include "scheduler/report/run_listing.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>

#include "common/file_io.h"
#include "common/json_strict.h"
#include "scheduler/report/campaign_summary.h"
#include "scheduler/report/text_table.h"
#include "scheduler/stats/repeat_interval.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/run_folder.h"
#include "scheduler/store/state_store.h"
#include "scheduler/store/store_access.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

struct Row {
  std::vector<std::string> cells;  // id, kind, status, progress, renders, cached, gain
  std::string note;                // printed below the row: why it stopped, failed or is unreadable
  long scored = 0;                 // scored only (stored images, new scorers): a column when any row has some
};

Row unreadable(const std::string& id, const std::string& kind, const std::string& why) {
  return {{id, kind, "unreadable", "-", "-", "-", "-"}, why};
}

// The stored status as `bigpe ls` says it; `live`: a process holds the
// folder and runs its services.
std::string status_text(const std::string& stored, bool live) {
  if (stored == "running") return live ? "running" : "killed, resumable";
  if (stored == "stopped") return "stopped, resumable";
  return stored;
}

// Why a resumable folder stopped and how to go on; "" otherwise.
std::string resume_note(const std::string& stored, const std::string& reason, bool live, const std::string& folder) {
  if (stored == "stopped") return (reason.empty() ? "" : reason + "; ") + "resume: bigpe resume " + folder;
  if (stored == "running" && !live) return "its process died; resume: bigpe resume " + folder;
  return "";
}

// Opens the folder's data, or says why not: "in use" when another process
// holds the lock without publishing services, "failed" when the folder
// never got as far as its Redis.
std::unique_ptr<StoreHandle> open_store(const std::string& folder, const std::string& redis_setting, Row& row) {
  if (redis_setting == "auto" && !fs::is_directory(folder + "/redis")) {
    const bool held = !RunLock::try_acquire(folder).has_value();
    row.cells[2] = held ? "in use" : "failed";
    row.note = held ? "a bigpe process holds the folder and is starting" :
                      "no data: it stopped before its Redis started (see " + folder + "/console.log)";
    return nullptr;
  }
  try {
    return open_folder_store(folder, redis_setting);
  } catch (const std::exception& e) {
    if (!RunLock::try_acquire(folder).has_value()) {
      row.cells[2] = "in use";
      row.note = "a bigpe process holds the folder without publishing its services (starting, or reading it)";
    } else {
      row.cells[2] = "unreadable";
      row.note = e.what();
    }
    return nullptr;
  }
}

std::string signed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.3f", v);
  return buf;
}

// "+0.965 [+0.829, +1.101]" from report.json, or "-".
std::string gain_from_report(const std::string& run_dir) {
  std::optional<std::string> text = try_read_file(run_dir + "/report.json");
  if (!text) return "-";
  try {
    const nlohmann::ordered_json g = json::parse_strict(*text).at("eval").at("gain_over_baseline");
    return signed3(g.at("mean").get<double>()) + " [" + signed3(g.at("ci_low").get<double>()) + ", " +
           signed3(g.at("ci_high").get<double>()) + "]";
  } catch (const std::exception&) {
    return "-";  // evaluation off, or a report from before the field
  }
}

Row run_row(const std::string& folder) {
  RunFile rf;
  try {
    rf = read_run_file(folder);
  } catch (const std::exception& e) {
    return unreadable(fs::path(folder).filename().string(), "run", e.what());
  }
  Row row{{rf.experiment_id, "run", "", "-", "-", "-", "-"}, ""};
  const std::string redis_setting = rf.values.count("redis") ? rf.values.at("redis") : "auto";
  try {
    std::unique_ptr<StoreHandle> h = open_store(infra_dir_of(folder, rf), redis_setting, row);
    if (!h) return row;
    RedisClient redis(h->redis);
    StateStore store(redis, rf.experiment_id);
    std::map<std::string, std::string> meta = store.load_meta();
    if (meta.empty()) {
      row.cells[2] = h->live ? "running" : "failed";
      if (!h->live) row.note = "the experiment was never recorded (see " + folder + "/console.log)";
      return row;
    }
    row.cells[2] = status_text(meta["status"], h->live);
    row.note = resume_note(meta["status"], meta["reason"], h->live, folder);
    const std::string iterations = rf.values.count("iterations") ? rf.values.at("iterations") : "?";
    // A budget run plans more iterations than it reaches: its budget is its
    // progress.
    const std::string budget = rf.values.count("budget.renders") ? rf.values.at("budget.renders") : "0";
    if (std::optional<ExperimentState> s = store.load_state()) {
      row.cells[3] = (budget != "0" && !budget.empty()
                          ? std::to_string(s->renders_spent) + "/" + budget + " renders, " +
                                std::to_string(s->summaries.size()) + " it"
                          : std::to_string(s->summaries.size()) + "/" + iterations + " it") +
                     (s->evaluated ? " +eval" : "");
      row.cells[4] = std::to_string(s->renders_done);
      row.cells[5] = std::to_string(s->renders_cached);
      row.scored = s->renders_scored;
    } else {
      row.cells[3] = "0/" + iterations + " it";
    }
    if (meta["status"] == "finished") row.cells[6] = gain_from_report(folder);
  } catch (const std::exception& e) {
    return unreadable(rf.experiment_id, "run", e.what());
  }
  return row;
}

// The campaign's row, then one per variant.
std::vector<Row> campaign_rows(const std::string& folder) {
  CampaignFile c;
  try {
    c = read_campaign_file(folder);
  } catch (const std::exception& e) {
    return {unreadable(fs::path(folder).filename().string(), "campaign", e.what())};
  }
  Row row{{c.campaign_id, "campaign", "", "-", "-", "-", "-"}, ""};
  try {
    const std::string redis_setting = resolve_target(folder).redis_setting;
    std::unique_ptr<StoreHandle> h = open_store(folder, redis_setting, row);
    if (!h) return {row};
    RedisClient redis(h->redis);
    std::optional<CampaignRecord> rec = CampaignStore(redis, c.campaign_id).load();
    if (!rec) {
      row.cells[2] = h->live ? "running" : "failed";
      if (!h->live) row.note = "the campaign was never recorded (see " + folder + "/console.log)";
      return {row};
    }
    row.cells[2] = status_text(rec->status, h->live);
    row.note = resume_note(rec->status, rec->reason, h->live, folder);
    const std::vector<ExperimentSummary> members = collect_summaries(redis, c.members);
    long done = 0, cached = 0;
    int finished = 0;
    for (const ExperimentSummary& m : members) {
      done += m.renders_done;
      cached += m.renders_cached;
      row.scored += m.renders_scored;
      finished += m.status == "finished" ? 1 : 0;
    }
    row.cells[3] = std::to_string(finished) + "/" + std::to_string(members.size()) + " experiments";
    row.cells[4] = std::to_string(done);
    row.cells[5] = std::to_string(cached);
    std::vector<Row> rows = {row};
    for (const VariantGain& v : variant_gains(members))
      rows.push_back({{"  " + v.variant, "variant", "", std::to_string(v.finished) + "/" + std::to_string(v.planned) +
                                                            " repeats", "", "", v.gain_over_baseline},
                      ""});
    return rows;
  } catch (const std::exception& e) {
    return {unreadable(c.campaign_id, "campaign", e.what())};
  }
}

std::vector<Row> rows_of(const std::string& folder) {
  if (has_campaign_file(folder)) return campaign_rows(folder);
  return {run_row(folder)};
}

}  // namespace

int run_listing(const std::string& dir, std::ostream& out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    out << "bigpe ls: " << dir << ": no such folder\n";
    return 1;
  }
  std::vector<std::string> folders;
  if (has_campaign_file(dir) || has_run_file(dir)) {
    folders.push_back(dir);
  } else {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string f = entry.path().string();
      if (entry.is_directory(ec) && (has_campaign_file(f) || has_run_file(f))) folders.push_back(f);
    }
    // Ids are "<name>-YYYYmmdd-HHMMSS-<hex>": within a name, oldest first.
    std::sort(folders.begin(), folders.end());
  }
  if (folders.empty()) {
    out << dir << ": no run or campaign folders\n";
    return 0;
  }
  std::vector<Row> rows;
  bool scored = false;
  for (const std::string& f : folders)
    for (Row& r : rows_of(f)) {
      scored |= r.scored != 0;
      rows.push_back(std::move(r));
    }
  std::vector<std::string> header = {"id", "kind", "status", "progress", "renders", "cached",
                                     "gain over I0 [95% interval]"};
  // After "cached", only when some row has items only scored.
  if (scored) header.insert(header.begin() + 6, "scored only");
  TextTable table(header);
  std::vector<std::string> notes;
  for (Row& r : rows) {
    if (scored) {
      // A row with no cached count (unreadable "-", a variant "") has none of these either.
      const std::string cached = r.cells[5];
      r.cells.insert(r.cells.begin() + 6, cached == "-" || cached.empty() ? cached : std::to_string(r.scored));
    }
    table.row(r.cells);
    if (!r.note.empty()) notes.push_back(r.cells[0] + ": " + r.note);
  }
  out << table.text();
  for (const std::string& n : notes) out << n << "\n";
  out << "gain over I0: a run's paired held-out gain with its 95% bootstrap interval; a variant's mean over "
         "finished repeats with its 95% t-interval (* from fewer than "
      << kFewRepeats << " repeats)\n";
  return 0;
}

}  // namespace bigpe::engine
