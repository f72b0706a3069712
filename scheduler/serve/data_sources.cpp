#include "scheduler/serve/data_sources.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/run_folder.h"
#include "scheduler/store/store_access.h"

namespace bigpe::serve {

namespace fs = std::filesystem;

DataSources::DataSources(std::vector<Source> fixed, std::string runs_dir)
    : fixed_(std::move(fixed)), runs_dir_(std::move(runs_dir)) {
  std::error_code ec;
  if (!runs_dir_.empty() && !fs::is_directory(runs_dir_, ec))
    throw std::runtime_error("--runs " + runs_dir_ + ": not a directory");
}

// A standalone run folder or a campaign folder is a source; a campaign's
// member run folders are read through their campaign's Redis.
std::vector<Source> DataSources::scan() const {
  std::vector<Source> out = fixed_;
  if (runs_dir_.empty()) return out;
  auto add = [&](const fs::path& dir) {
    try {
      if (!engine::has_run_file(dir.string()) && !engine::has_campaign_file(dir.string())) return false;
      if (engine::has_run_file(dir.string()) && engine::read_run_file(dir.string()).infra_dir != ".") return true;
      engine::TargetFolder t = engine::resolve_target(dir.string());
      out.push_back({dir.string(), "", t.infra_folder, t.redis_setting, ""});
    } catch (const std::exception& e) {
      out.push_back({dir.string(), "", "", "!" + std::string(e.what()), ""});  // reported by for_each
    }
    return true;
  };
  if (add(runs_dir_)) return out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(runs_dir_, ec))
    if (entry.is_directory(ec)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& d : dirs) add(d);
  return out;
}

std::vector<SourceError> DataSources::for_each(const Reader& read) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SourceError> errors;
  const std::vector<Source> sources = scan();
  last_count_ = sources.size();
  for (const Source& s : sources) {
    if (!s.redis_setting.empty() && s.redis_setting[0] == '!') {
      errors.push_back({s.label, s.redis_setting.substr(1)});
      continue;
    }
    try {
      std::unique_ptr<engine::StoreHandle> handle =
          s.url.empty() ? engine::open_folder_store(s.folder, s.redis_setting) : engine::open_url_store(s.url);
      RedisClient redis(handle->redis);
      read(SourceView{redis, handle->server != nullptr, s, s.broker.empty() ? handle->broker_endpoint : s.broker});
    } catch (const RedisError& e) {
      errors.push_back({s.label, std::string("Redis: ") + e.what()});
    } catch (const std::exception& e) {
      // Opening a folder (locked while starting, its data gone, its
      // redis-server refusing to start) or a record that does not decode.
      errors.push_back({s.label, e.what()});
    }
  }
  return errors;
}

std::size_t DataSources::last_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_count_;
}

std::vector<std::string> DataSources::image_roots() const {
  std::vector<std::string> roots;
  for (const Source& s : scan())
    if (!s.folder.empty()) roots.push_back(s.folder);
  return roots;
}

}  // namespace bigpe::serve
