#include "scheduler/store/campaign_folder.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/file_io.h"
#include "common/json_access.h"
#include "common/json_strict.h"

namespace fs = std::filesystem;

namespace bigpe::engine {

bool has_campaign_file(const std::string& dir) { return fs::exists(dir + "/campaign.json"); }

void write_campaign_file(const std::string& dir, const CampaignFile& c) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  root["campaign_id"] = c.campaign_id;
  root["name"] = c.name;
  root["file"] = c.file;
  root["variants"] = json::parse_strict(c.variants_json.empty() ? "[]" : c.variants_json);
  root["experiments"] = json::parse_strict(members_json(c.members));
  write_file_atomic(dir + "/campaign.json", json::dump_strict(root) + "\n");
}

CampaignFile read_campaign_file(const std::string& dir) {
  const std::string path = dir + "/campaign.json";
  const std::optional<std::string> text = try_read_file(path);
  if (!text) throw std::runtime_error(path + ": no such campaign (expected the campaign.json that `bigpe campaign` writes)");
  CampaignFile c;
  try {
    const nlohmann::ordered_json root = json::parse_strict(*text);
    c.campaign_id = json::require_string(root, "campaign_id");
    c.name = json::require_string(root, "name");
    c.file = json::require_string(root, "file");
    c.variants_json = json::dump_strict(json::require(root, "variants"));
    c.members = parse_members_json(json::dump_strict(json::require(root, "experiments")), path);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return c;
}

std::string find_latest_campaign(const std::string& runs_dir, const std::string& name) {
  std::string best;
  std::error_code ec;
  if (!fs::is_directory(runs_dir, ec)) return best;
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    const std::string folder = entry.path().filename().string();
    // Ids are "<name>-YYYYmmdd-HHMMSS-<hex>", so the newest sorts last.
    if (folder.rfind(name + "-", 0) != 0 || !has_campaign_file(entry.path().string())) continue;
    try {
      if (read_campaign_file(entry.path().string()).name != name) continue;
    } catch (const std::exception&) {
      continue;
    }
    if (folder > fs::path(best).filename().string()) best = entry.path().string();
  }
  return best;
}

}  // namespace bigpe::engine
