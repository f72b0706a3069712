#include "scheduler/report/status_view.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>
#include <unistd.h>
#include <ostream>
#include <sstream>
#include <thread>

#include "broker/broker_client.h"
#include "broker/status_text.h"
#include "scheduler/report/experiment_view.h"
#include "scheduler/report/scored_only_text.h"
#include "scheduler/store/campaign_store.h"
#include "scheduler/store/state_store.h"
#include "scheduler/store/store_access.h"
#include "common/redis/redis_keys.h"

namespace bigpe::engine {
namespace {

std::string bar(double fraction, int width = 20) {
  fraction = std::max(0.0, std::min(1.0, fraction));
  const int full = static_cast<int>(std::floor(fraction * width + 1e-9));
  return "[" + std::string(static_cast<std::size_t>(full), '#') + std::string(static_cast<std::size_t>(width - full), '.') + "]";
}

// Labels are never cut: experiment ids differ only in their last
// characters (a name, a time, a random suffix), so every row gets the width
// of the longest label in the frame.
std::string experiment_line(const ExperimentView& v, const std::string& indent, std::size_t label_width) {
  char line[400];
  std::string best = v.has_best ? std::to_string(v.best).substr(0, std::to_string(v.best).find('.') + 4) : "-";
  std::snprintf(line, sizeof line,
                "%-*s %-9s %s %3d/%-3d it  %-10s  best %-7s  renders %ld done, %ld cached%s%s  llm %ld calls, %ld "
                "unusable",
                static_cast<int>(label_width), v.label.c_str(), v.status.c_str(),
                bar(v.progress()).c_str(),
                v.iterations_done, v.iterations, v.phase.c_str(), best.c_str(), v.renders_done,
                v.renders_cached, scored_only_text(v.renders_scored).c_str(), v.rate > 0 ? ("  " + std::to_string(v.rate).substr(0, std::to_string(v.rate).find('.') + 2) + "/s").c_str() : "",
                v.llm.calls, v.llm.unusable);
  return indent + line;
}

struct Frame {
  std::string text;
  bool any_running = false;
};

Frame frame(RedisClient& redis, const TargetFolder& target, const std::string& broker,
            const broker::BrokerClientOptions& broker_options, bool owner_gone) {
  Frame f;
  std::ostringstream out;
  std::vector<std::string> campaigns;
  std::vector<std::string> experiments;
  if (target.kind == TargetFolder::Kind::kCampaign) {
    campaigns.push_back(target.id);
  } else if (target.kind == TargetFolder::Kind::kExperiment) {
    experiments.push_back(target.id);
  } else {
    campaigns = CampaignStore::list(redis);
    std::set<std::string> in_campaign;
    for (const std::string& c : campaigns)
      if (auto rec = CampaignStore(redis, c).load())
        for (const CampaignMember& m : rec->experiments) in_campaign.insert(m.experiment_id);
    for (const RedisReply& e : redis.command({"ZRANGE", redis_keys::kExperiments, "0", "-1"}).elements)
      if (!in_campaign.count(e.str)) experiments.push_back(e.str);
  }

  // Rows are drawn once every label is known (experiment_line's width).
  struct Block {
    std::string head;        // campaign line and reason, or empty
    std::string row_prefix;  // "  " in a campaign, "experiment " alone
    std::vector<ExperimentView> rows;
  };
  std::vector<Block> blocks;
  for (const std::string& cid : campaigns) {
    std::optional<CampaignRecord> rec = CampaignStore(redis, cid).load();
    if (!rec) {
      blocks.push_back({"campaign " + cid + ": not started\n", "", {}});
      continue;
    }
    std::vector<ExperimentView> views;
    int it_done = 0, it_total = 0, finished = 0;
    long done = 0, cached = 0, scored = 0;
    double rate = 0;
    int unstarted = 0, planned = 0;
    double progress = 0.0;  // the members' mean, unstarted ones at 0
    for (const CampaignMember& m : rec->experiments) {
      ExperimentView v = view_of(redis, m.experiment_id, owner_gone);
      if (v.status == "not started") {
        v.label = m.variant + ".r" + std::to_string(m.repeat);
        ++unstarted;
      } else {
        progress += v.progress();
      }
      planned = std::max(planned, v.iterations);
      it_done += v.iterations_done;
      it_total += v.iterations;
      done += v.renders_done;
      cached += v.renders_cached;
      scored += v.renders_scored;
      rate += v.rate;
      if (v.status == "finished") ++finished;
      views.push_back(v);
    }
    // Unstarted experiments have no stored config yet: count them with the
    // longest iteration count seen, so the bar does not run ahead.
    it_total += unstarted * planned;
    if (owner_gone && rec->status == "running") rec->status = "killed";
    if (rec->status == "running") f.any_running = true;
    char line[400];
    std::snprintf(line, sizeof line,
                  "campaign %s  %s  %s %d/%zu experiments finished, %d/%d iterations, renders %ld done, %ld "
                  "cached%s%s\n",
                  cid.c_str(), rec->status.c_str(),
                  bar(rec->experiments.empty() ? 0.0 : progress / static_cast<double>(rec->experiments.size())).c_str(),
                  finished,
                  rec->experiments.size(), it_done, it_total, done, cached, scored_only_text(scored).c_str(),
                  rate > 0 ? (", " + std::to_string(static_cast<long>(rate)) + " renders/s").c_str() : "");
    std::string head = line;
    if (!rec->reason.empty()) head += "  reason: " + rec->reason + "\n";
    blocks.push_back({head, "  ", std::move(views)});
  }
  for (const std::string& id : experiments) {
    ExperimentView v = view_of(redis, id, owner_gone);
    if (v.status == "running") f.any_running = true;
    blocks.push_back({"", "experiment ", {v}});
  }
  std::size_t label_width = 12;
  for (const Block& b : blocks)
    for (const ExperimentView& v : b.rows) label_width = std::max(label_width, v.label.size());
  for (const Block& b : blocks) {
    out << b.head;
    for (const ExperimentView& v : b.rows) out << experiment_line(v, b.row_prefix, label_width) << "\n";
  }
  if (campaigns.empty() && experiments.empty()) out << "no experiments or campaigns in this Redis\n";

  if (!broker.empty()) {
    try {
      broker::BrokerClient client(broker, "status-" + std::to_string(::time(nullptr)) + "-" + std::to_string(::getpid()),
                                  broker_options);
      schemas::StatusReply s = client.status(std::chrono::milliseconds(2000));
      char line[300];
      // The broker's instance id tells two brokers on one address apart
      // (scripts/launch-slurm checks it is the broker it started).
      const std::string id = client.broker_id();
      std::snprintf(line, sizeof line, "broker %s (id %s): %lld workers, %lld queued, %lld in flight, %lld completed, "
                    "%lld failed; dispatch %.1f/s, results %.1f/s\n", broker.c_str(), id.empty() ? "-" : id.c_str(),
                    static_cast<long long>(s.workers),
                    static_cast<long long>(s.queued), static_cast<long long>(s.in_flight),
                    static_cast<long long>(s.completed), static_cast<long long>(s.failed), s.dispatch_rate, s.result_rate);
      out << line;
      for (const schemas::ServiceStatus& svc : s.services) {
        std::snprintf(line, sizeof line, "  service %-24s %lld workers, %lld queued, %lld in flight, %lld free slots\n",
                      svc.name.c_str(), static_cast<long long>(svc.workers), static_cast<long long>(svc.queued),
                      static_cast<long long>(svc.in_flight), static_cast<long long>(svc.free_slots));
        out << line;
        // One entry per backend identity (schemas/README.md section 7.2): say which.
        if (!svc.identity.empty()) out << "    identity " << svc.identity << "\n";
        if (svc.queued > 0 && svc.workers == 0)
          out << "    no worker serves " << svc.name << ": its " << svc.queued << " tasks wait\n";
      }
      for (const schemas::WorkerStatus& w : s.worker_list) out << "  worker " << broker::worker_line(w) << "\n";
    } catch (const std::exception& e) {
      out << "broker " << broker << ": no answer (" << e.what() << ")\n";
    }
  }
  f.text = out.str();
  return f;
}

// After a live folder's Redis went away: the owner is stopping. Its lock
// goes when its process ends; until then the folder is locked without
// live.json (or with a stale one). Polls until we can open the folder's
// data ourselves, or a new owner publishes working services; bounded.
std::unique_ptr<StoreHandle> reopen_when_released(const TargetFolder& target) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      std::unique_ptr<StoreHandle> h = open_folder_store(target.infra_folder, target.redis_setting);
      if (!h->live) return h;
      RedisClient(h->redis).command({"PING"});  // a successor's services, if they answer
      return h;
    } catch (const std::exception& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the owner is exiting
  }
  throw std::runtime_error("the run ended but " + target.infra_folder + " was not released within 60 s (" + last +
                           ")");
}

}  // namespace

int run_status(const StatusRequest& req, std::ostream& out, bool terminal) {
  try {
    TargetFolder target;
    std::unique_ptr<StoreHandle> handle;
    if (!req.target.empty()) target = resolve_target(req.target);
    if (!req.redis_url.empty()) {
      handle = open_url_store(req.redis_url);
    } else if (target.kind == TargetFolder::Kind::kId) {
      throw std::runtime_error(req.target.empty() ? "give a run or campaign folder, or --redis URL"
                                                  : req.target + ": not a run or campaign folder; give --redis URL");
    } else {
      handle = open_folder_store(target.infra_folder, target.redis_setting);
    }
    if (target.kind == TargetFolder::Kind::kId && !req.target.empty()) {
      // An id with --redis: a campaign or an experiment.
      RedisClient probe(handle->redis);
      if (CampaignStore(probe, req.target).exists()) target.kind = TargetFolder::Kind::kCampaign;
      else if (StateStore(probe, req.target).exists()) target.kind = TargetFolder::Kind::kExperiment;
      else throw std::runtime_error("no campaign or experiment " + req.target + " in this Redis");
    }
    // Bad key files are the user's error, said once here rather than as a
    // broker that never answers.
    broker::BrokerClientOptions broker_options;
    broker_options.curve = broker::load_curve_client_keys(req.curve_key, req.broker_key);
    for (;;) {
      Frame f;
      try {
        const std::string broker = !req.broker.empty() ? req.broker : handle->broker_endpoint;
        RedisClient redis(handle->redis);
        f = frame(redis, target, broker, broker_options, handle->server != nullptr);
      } catch (const RedisError& e) {
        // A running folder's private Redis goes when its run ends: wait
        // for the run to let go of the folder, then draw the final frame
        // from the folder's own data.
        if (!handle->live) throw;
        out << "the run is ending (" << e.what() << "); waiting for it to release " << handle->folder << "\n";
        out.flush();
        handle = reopen_when_released(target);
        continue;
      }
      if (req.follow && terminal) out << "\x1b[H\x1b[J";  // home, clear: redraw in place
      if (req.follow && !terminal) {
        std::time_t now = std::time(nullptr);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
        out << "--- " << stamp << "\n";
      }
      out << f.text;
      out.flush();
      if (!req.follow || !f.any_running) return 0;
      std::this_thread::sleep_for(std::chrono::duration<double>(req.interval_s));
    }
  } catch (const std::exception& e) {
    out << "bigpe status: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bigpe::engine
