#include "scheduler/experiment/input_checks.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "backends/sim/sim_vocabulary.h"
#include "broker/curve_keys.h"
#include "common/redis/redis_client.h"
#include "common/text_util.h"
#include "models/core/model_manifest.h"
#include "models/core/scorer_folders.h"
#include "scheduler/experiment/score_model_folders.h"
#include "scheduler/render/score_target.h"
#include "scheduler/prodb/query_set.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

// Why `path` cannot be read as an input file; "" when it can.
std::string unreadable(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path + " is a directory, not a file";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "cannot read " + path + " (" + std::strerror(errno) + ")";
  std::fclose(f);
  return "";
}

// The same, and an empty file is refused too.
std::string unreadable_or_empty(const std::string& path) {
  std::string why = unreadable(path);
  std::error_code ec;
  if (why.empty() && fs::file_size(path, ec) == 0 && !ec) why = path + " is empty";
  return why;
}

void check_queries(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  const std::string path = s.queries_path.empty() ? default_queries_path() : s.queries_path;
  if (std::string why = unreadable(path); !why.empty()) return out.push_back({{"queries.path"}, why});
  std::vector<std::string> all;
  try {
    all = load_queries(path);  // file:line for a duplicate or a control character
  } catch (const std::runtime_error& e) {
    return out.push_back({{"queries.path"}, e.what()});
  }
  // The split the run will make: it must leave queries to train on.
  const QuerySplit split = split_queries(all, paper_table2_queries(), static_cast<std::size_t>(s.heldout_size));
  if (split.train.empty())
    out.push_back({{"queries.heldout", "queries.path"},
                   "holds out " + std::to_string(split.heldout.size()) + " of the " + std::to_string(all.size()) +
                       " queries in " + path + ", leaving none to train on"});
}

// Local torchscript-sd workers' model folders: a manifest that loads, of
// a diffusion family for render.model and of a scorer family for each
// folder of score.model (the modules themselves are probed when the
// workers load them); then which scorer each folder serves, by the
// workers' own rules (models/core/scorer_folders.h).
void check_model_folders(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  if (s.workers != "local" || s.backend != "torchscript-sd") return;
  const std::vector<std::string> scorer_dirs = score_model_folders(s.score_model);
  auto check = [&](const std::string& key, const std::string& dir, bool diffusion) {
    if (dir.empty()) return true;  // infrastructure_problems() names it
    // Each message names the folder, so an entry of score.model is named.
    try {
      models::ModelManifest m = models::load_manifest(dir);
      if (models::is_diffusion(m.family) == diffusion) return true;
      out.push_back({{key}, dir + " holds a " + models::family_name(m.family) + " model; " + key + " needs " +
                                (diffusion ? "a Stable Diffusion model (sd1, sd2, sd2-v, sdxl, sdxl-turbo)"
                                           : "scorer models (hpsv2, pickscore, aesthetic)")});
    } catch (const std::exception& e) {
      out.push_back({{key}, e.what()});
    }
    return false;
  };
  check("render.model", s.render_model, true);
  if (!score_model_problem(s.score_model).empty()) return;  // infrastructure_problems() names it
  bool readable = true;
  for (const std::string& dir : scorer_dirs) readable = check("score.model", dir, false) && readable;
  if (!readable || scorer_dirs.empty()) return;
  // One folder and no score.scorers: the workers run the folder's scorer.
  if (scorer_dirs.size() == 1 && trim(s.score_scorers).empty()) return;
  if (trim(s.score_scorers).empty())
    return out.push_back({{"score.scorers", "score.model"},
                          "score.model names " + std::to_string(scorer_dirs.size()) +
                              " scorer folders: name their scorers in score.scorers (e.g. hpsv2,pickscore; the "
                              "first one's score is each image's)"});
  std::vector<std::string> scorers;
  try {
    scorers = scorer_list(s.score_scorers, s.backend);
  } catch (const std::invalid_argument&) {
    return;  // score_problems() names it
  }
  try {
    models::scorer_folders(scorers, scorer_dirs, {"score.model", "score.scorers"});
  } catch (const std::exception& e) {
    out.push_back({{"score.model", "score.scorers"}, e.what()});
  }
}

void check_vocabulary(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  const std::string path = s.sim_vocabulary.empty() ? sim::default_vocabulary_path() : s.sim_vocabulary;
  if (std::string why = unreadable(path); !why.empty()) return out.push_back({{"sim.vocabulary"}, why});
  std::size_t phrases = 0;
  try {
    phrases = sim::Vocabulary::load(path).size();
  } catch (const std::runtime_error& e) {
    return out.push_back({{"sim.vocabulary"}, e.what()});
  }
  // The minimums of ProfessionalDb::synthetic and of the heuristic agents.
  if (s.pro_source == "synthetic" && phrases < 8)
    out.push_back({{"sim.vocabulary", "professional.source"},
                   path + " holds " + std::to_string(phrases) +
                       " phrases; synthetic professional prompts need at least 8"});
  else if (s.llm.backend == "heuristic" && phrases == 0)
    out.push_back({{"sim.vocabulary", "llm.backend"}, path + " holds no phrases; the heuristic LLM needs them"});
}

void check_professional(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  if (s.pro_source != "jsonl" && s.pro_source != "text") return;
  if (s.pro_path.empty())
    return out.push_back({{"professional.source"},
                          s.pro_source + " needs professional.path (the database file); none is set"});
  if (std::string why = unreadable_or_empty(s.pro_path); !why.empty())
    out.push_back({{"professional.path"}, why});
}

void check_llm(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  if (s.llm.backend != "openai") return;
  const OpenAiOptions& o = s.llm.openai;
  if (o.model.empty()) out.push_back({{"llm.model", "llm.backend"}, "llm.backend openai needs a model name"});
  if (o.base_url.rfind("http://", 0) != 0 && o.base_url.rfind("https://", 0) != 0)
    out.push_back({{"llm.base_url", "llm.backend"},
                   "llm.backend openai needs the server's http:// or https:// url, got '" + o.base_url + "'"});
  if (!o.api_key_env.empty()) {
    const char* key = std::getenv(o.api_key_env.c_str());
    if (key == nullptr || *key == '\0')
      out.push_back({{"llm.api_key_env"}, "names the environment variable " + o.api_key_env + ", which is " +
                                              (key == nullptr ? "not set" : "empty")});
  }
}

void check_redis_password(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  const std::string& path = s.redis_password_file;
  if (path.empty()) return;
  std::string why = unreadable(path);
  if (why.empty()) {
    try {
      RedisOptions::read_password_file(path);  // refuses an empty first line
    } catch (const std::invalid_argument& e) {
      why = e.what();
    }
  }
  if (!why.empty()) out.push_back({{"redis_password_file"}, why});
}

void check_curve_keys(const ExperimentSettings& s, std::vector<SettingProblem>& out) {
  const std::string& secret = s.broker_client_key;
  const std::string& server = s.broker_server_key;
  if (secret.empty() && server.empty()) return;
  if (secret.empty() || server.empty())
    return out.push_back({{secret.empty() ? "broker_auth.server_key" : "broker_auth.client_key"},
                          "CURVE needs both broker_auth.server_key (the broker's .pub file) and "
                          "broker_auth.client_key (this scheduler's .key file)"});
  // Each file on its own, so the problem names the key that holds it; these
  // are the reads broker::load_curve_client_keys() makes.
  const std::pair<const char*, std::string> files[] = {{"broker_auth.client_key", secret},
                                                       {"broker_auth.server_key", server}};
  for (const auto& [key, path] : files) {
    std::string why = unreadable(path);
    if (why.empty()) {
      try {
        broker::read_curve_key(path);
      } catch (const std::runtime_error& e) {
        why = e.what();
      }
    }
    if (!why.empty()) out.push_back({{key}, why});
  }
}

}  // namespace

std::vector<SettingProblem> input_problems(const ExperimentSettings& s) {
  std::vector<SettingProblem> out;
  check_queries(s, out);
  check_vocabulary(s, out);
  check_model_folders(s, out);
  check_professional(s, out);
  check_llm(s, out);
  check_redis_password(s, out);
  check_curve_keys(s, out);
  return out;
}

}  // namespace bigpe::engine
