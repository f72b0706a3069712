#include "scheduler/campaign/campaign_spec.h"

// yaml-cpp 0.7's inline node code trips GCC 12's -Wdangling-pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/file_io.h"
#include "common/config.h"

namespace bigpe::engine {
namespace {

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

class SpecReader {
 public:
  explicit SpecReader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(int line, const std::string& key, const std::string& why) const {
    throw ConfigError(describe_line(origin_, line) + ": " + (key.empty() ? "" : "key '" + key + "': ") + why);
  }

  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(line_of(n), key, "expected a plain value");
    return n.Scalar();
  }

  long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
    std::string s = scalar(n, key);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE) fail(line_of(n), key, "expected an integer, got '" + s + "'");
    if (v < lo || v > hi)
      fail(line_of(n), key, "value " + s + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }

  bool boolean(const YAML::Node& n, const std::string& key) const {
    std::string s = scalar(n, key);
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(line_of(n), key, "expected true or false, got '" + s + "'");
  }

  std::string name(const YAML::Node& n, const std::string& key) const {
    std::string s = scalar(n, key);
    if (!is_safe_name(s))
      fail(line_of(n), key, "'" + s + "' is not a usable name (letters, digits, '.', '_', '-'; at most 64)");
    return s;
  }

  // A map of experiment keys (dotted or nested) into settings; the keys are
  // checked against the experiment schema later, with these lines.
  void settings(const YAML::Node& map, const std::string& prefix, const std::string& where,
                std::vector<SpecSetting>* out) const {
    if (!map.IsMap()) fail(line_of(map), where, "expected a map of experiment keys");
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string k = scalar(it->first, where);
      std::string full = prefix.empty() ? k : prefix + "." + k;
      const YAML::Node v = it->second;  // a copy: `it->` yields a temporary proxy
      if (v.IsMap()) {
        settings(v, full, where, out);
      } else if (v.IsSequence()) {
        std::string joined;
        for (const auto& item : v) joined += (joined.empty() ? "" : ",") + scalar(item, where + "." + full);
        out->push_back({full, joined, line_of(it->first)});
      } else {
        out->push_back({full, v.IsNull() ? "" : v.Scalar(), line_of(it->first)});
      }
    }
  }

 private:
  std::string origin_;
};

}  // namespace

bool is_safe_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

CampaignSpec load_campaign_spec(const std::string& path) {
  const std::optional<std::string> text = try_read_file(path);
  if (!text) throw ConfigError(path + ": cannot open the campaign file");
  return parse_campaign_spec(*text, path);
}

CampaignSpec parse_campaign_spec(const std::string& yaml_text, const std::string& origin) {
  CampaignSpec spec;
  spec.file = origin;
  SpecReader r(origin);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(describe_line(origin, e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (!root.IsMap()) r.fail(root.IsDefined() ? line_of(root) : 1, "", "expected a map (name, base, variants, ...)");

  static const std::set<std::string> known = {"name",      "base",       "set",         "variants",
                                              "repeats",   "seed_base",  "taste_from_repeat",
                                              "taste_base", "tastes",    "concurrency"};
  std::set<std::string> seen;
  int tastes_line = 0, taste_repeat_line = 0, repeats_line = 0;
  try {
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = r.scalar(it->first, "");
      const int line = line_of(it->first);
      const YAML::Node v = it->second;  // a copy: `it->` yields a temporary proxy
      if (!known.count(key))
        r.fail(line, key, "unknown campaign key (expected one of name, base, set, variants, repeats, "
                          "seed_base, taste_from_repeat, taste_base, tastes, concurrency)");
      if (!seen.insert(key).second) r.fail(line, key, "given twice");
      if (key == "name") {
        spec.name = r.name(v, key);
      } else if (key == "base") {
        std::filesystem::path base = r.scalar(v, key);
        if (base.is_relative()) base = std::filesystem::path(origin).parent_path() / base;
        spec.base_path = base.lexically_normal().string();
        if (!std::filesystem::exists(spec.base_path))
          r.fail(line_of(v), key, "no such file: " + spec.base_path);
      } else if (key == "set") {
        r.settings(v, "", "set", &spec.set);
      } else if (key == "variants") {
        if (!v.IsSequence() || v.size() == 0) r.fail(line, key, "expected a non-empty list of {name, set}");
        std::set<std::string> names;
        for (std::size_t i = 0; i < v.size(); ++i) {
          const YAML::Node& item = v[i];
          const std::string where = "variants[" + std::to_string(i) + "]";
          if (!item.IsMap()) r.fail(line_of(item), where, "expected a map with name and set");
          CampaignVariant cv;
          cv.line = line_of(item);
          for (auto f = item.begin(); f != item.end(); ++f) {
            std::string fk = r.scalar(f->first, where);
            if (fk == "name")
              cv.name = r.name(f->second, where + ".name");
            else if (fk == "set")
              r.settings(f->second, "", where + ".set", &cv.set);
            else
              r.fail(line_of(f->first), where + "." + fk, "unknown variant key (expected name, set)");
          }
          if (cv.name.empty()) r.fail(cv.line, where + ".name", "missing");
          if (!names.insert(cv.name).second) r.fail(cv.line, where + ".name", "variant '" + cv.name + "' given twice");
          spec.variants.push_back(std::move(cv));
        }
      } else if (key == "repeats") {
        spec.repeats = static_cast<int>(r.integer(v, key, 1, 100000));
        repeats_line = line;
      } else if (key == "seed_base") {
        spec.seed_base = r.integer(v, key, 0, 1LL << 62);
        spec.has_seed_base = true;
      } else if (key == "taste_from_repeat") {
        spec.taste_from_repeat = r.boolean(v, key);
        taste_repeat_line = line;
      } else if (key == "taste_base") {
        spec.taste_base = r.integer(v, key, 0, 1LL << 62);
      } else if (key == "tastes") {
        if (!v.IsSequence() || v.size() == 0) r.fail(line, key, "expected a non-empty list of taste seeds");
        for (std::size_t i = 0; i < v.size(); ++i)
          spec.tastes.push_back(r.integer(v[i], key + "[" + std::to_string(i) + "]", 0, 1LL << 62));
        tastes_line = line;
      } else if (key == "concurrency") {
        spec.concurrency = static_cast<int>(r.integer(v, key, 0, 100000));
      }
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(describe_line(origin, e.mark.line + 1) + ": " + e.msg);
  }
  if (spec.name.empty()) r.fail(1, "name", "missing (the campaign's name)");
  if (spec.base_path.empty()) r.fail(1, "base", "missing (the experiment config the variants change)");
  if (spec.variants.empty()) r.fail(1, "variants", "missing (at least one {name, set})");
  if (spec.taste_from_repeat && !spec.tastes.empty())
    r.fail(tastes_line, "tastes", "give either tastes or taste_from_repeat: true (line " +
                                      std::to_string(taste_repeat_line) + "), not both");
  if (!spec.tastes.empty() && static_cast<int>(spec.tastes.size()) != spec.repeats)
    r.fail(tastes_line, "tastes", "has " + std::to_string(spec.tastes.size()) + " entries but repeats is " +
                                      std::to_string(spec.repeats) +
                                      (repeats_line ? " (line " + std::to_string(repeats_line) + ")" : ""));
  return spec;
}

void apply_campaign_override(CampaignSpec& spec, const std::string& override_text) {
  const auto eq = override_text.find('=');
  if (eq == std::string::npos) throw ConfigError("override '" + override_text + "': expected key=value");
  const std::string key = override_text.substr(0, eq), value = override_text.substr(eq + 1);
  if (key != "repeats") {
    spec.set.push_back({key, value, -1});
    return;
  }
  const std::string prefix = "override '" + override_text + "': ";
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || n < 1 || n > 100000)
    throw ConfigError(prefix + "the campaign's repeats: expected a whole number from 1 to 100000");
  if (!spec.tastes.empty() && static_cast<long long>(spec.tastes.size()) != n)
    throw ConfigError(prefix + spec.file + " lists " + std::to_string(spec.tastes.size()) +
                      " tastes, one per repeat; list " + std::to_string(n) + " there instead");
  spec.repeats = static_cast<int>(n);
}

}  // namespace bigpe::engine
