#include "common/config.h"
#include "common/file_io.h"
#include "common/text_util.h"

// GCC 12 reports false -Wdangling-pointer warnings inside yaml-cpp 0.7's
// inline node code; they are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bigpe {

std::string describe_line(const std::string& file, int line) { return file + ":" + std::to_string(line); }

std::string range_text(const ConfigKey& key);

namespace {

const char* type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kInt: return "an integer";
    case ConfigType::kDouble: return "a number";
    case ConfigType::kBool: return "a boolean (true/false)";
    case ConfigType::kString: return "a string";
    case ConfigType::kStringList: return "a list of strings";
  }
  return "?";
}

// Shortest text that reads back as the same double, so "1.0" and "1" give
// the same canonical config.
std::string format_double(double v) {
  char buf[40];
  // Whole numbers as plain digits ("100", not "1e+02").
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string format_bound(double v) { return format_double(v); }

}  // namespace

std::string range_text(const ConfigKey& key) {
  std::string lo = key.min ? format_bound(*key.min) : "-inf";
  std::string hi = key.max ? format_bound(*key.max) : "inf";
  return "[" + lo + ", " + hi + "]";
}

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::string t = trim(text);
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(t);
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::string check_choice(const ConfigKey& key, const std::string& v) {
  if (key.choices.empty() || std::find(key.choices.begin(), key.choices.end(), v) != key.choices.end())
    return "";
  return "expected one of " + join_list(key.choices) + ", got '" + v + "'";
}

// Validates `raw` for `key`; on success stores the canonical text in *out
// and returns "", else returns the reason.
std::string normalize(const ConfigKey& key, const std::string& raw, std::string* out) {
  std::string v = trim(raw);
  switch (key.type) {
    case ConfigType::kInt: {
      errno = 0;
      char* end = nullptr;
      long long n = v.empty() ? 0 : std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') return std::string("expected ") + type_name(key.type) + ", got '" + v + "'";
      if (errno == ERANGE) return "integer '" + v + "' is too large";
      if ((key.min && n < *key.min) || (key.max && n > *key.max))
        return "value " + v + " is out of range " + range_text(key);
      *out = std::to_string(n);
      return "";
    }
    case ConfigType::kDouble: {
      char* end = nullptr;
      double d = v.empty() ? 0 : std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0') return std::string("expected ") + type_name(key.type) + ", got '" + v + "'";
      if (!std::isfinite(d)) return "expected a finite number, got '" + v + "'";
      if ((key.min && d < *key.min) || (key.max && d > *key.max))
        return "value " + v + " is out of range " + range_text(key);
      *out = format_double(d);
      return "";
    }
    case ConfigType::kBool: {
      std::string l = lower(v);
      if (l == "true" || l == "yes" || l == "on" || l == "1") {
        *out = "true";
        return "";
      }
      if (l == "false" || l == "no" || l == "off" || l == "0") {
        *out = "false";
        return "";
      }
      return std::string("expected ") + type_name(key.type) + ", got '" + v + "'";
    }
    case ConfigType::kString: {
      std::string err = check_choice(key, v);
      if (!err.empty()) return err;
      *out = v;
      return "";
    }
    case ConfigType::kStringList: {
      std::vector<std::string> items = split_list(v);
      for (const auto& i : items) {
        std::string err = check_choice(key, i);
        if (!err.empty()) return err;
      }
      *out = join_list(items);
      return "";
    }
  }
  return "unsupported type";
}

// Edit distance, to suggest the key that was probably meant.
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string unknown_key(const ConfigSchema& schema, const std::string& name) {
  std::string best;
  std::size_t best_d = 3;
  for (const auto& [k, _] : schema.keys()) {
    std::size_t d = distance(k, name);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return "unknown key '" + name + "'" + (best.empty() ? "" : " (did you mean '" + best + "'?)");
}

bool is_section(const ConfigSchema& schema, const std::string& prefix) {
  const std::string p = prefix + ".";
  auto it = schema.keys().lower_bound(p);
  return it != schema.keys().end() && it->first.compare(0, p.size(), p) == 0;
}

std::string describe_node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "'" + n.Scalar() + "'";
  }
}

// Walks nested maps, turning them into dotted keys and validating each leaf.
class YamlReader {
 public:
  YamlReader(const ConfigSchema& schema, const std::string& origin, std::map<std::string, std::string>* values,
             std::map<std::string, std::string>* origins)
      : schema_(schema), origin_(origin), values_(values), origins_(origins) {}

  void read_map(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies, not references: yaml-cpp's iterator returns its pair by a
      // temporary proxy, so a reference would dangle (ASan found it:
      // fuzz/regressions/config_loader_fuzz/). Nodes are handles; copying
      // is cheap.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      int line = k.Mark().line + 1;
      if (!k.IsScalar()) fail(line, "", "a key must be a plain name");
      std::string name = prefix.empty() ? k.Scalar() : prefix + "." + k.Scalar();
      const ConfigKey* key = schema_.find(name);
      if (!key) {
        if (v.IsMap() && is_section(schema_, name)) {
          read_map(v, name);
          continue;
        }
        throw ConfigError(describe_line(origin_, line) + ": " + unknown_key(schema_, name));
      }
      auto seen = lines_.find(name);
      if (seen != lines_.end())
        fail(line, name, "given twice (first at line " + std::to_string(seen->second) + ")");
      lines_[name] = line;
      read_leaf(*key, v, line);
    }
  }

 private:
  [[noreturn]] void fail(int line, const std::string& name, const std::string& why) {
    throw ConfigError(describe_line(origin_, line) + ": " + (name.empty() ? "" : "key '" + name + "': ") + why);
  }

  void read_leaf(const ConfigKey& key, const YAML::Node& v, int line) {
    std::string raw;
    if (v.IsSequence()) {
      if (key.type != ConfigType::kStringList)
        fail(line, key.name, std::string("expected ") + type_name(key.type) + ", got a list");
      std::vector<std::string> items;
      for (const auto& item : v) {
        if (!item.IsScalar())
          fail(item.Mark().line + 1, key.name, "list items must be plain strings, got " + describe_node(item));
        if (item.Scalar().find(',') != std::string::npos)
          fail(item.Mark().line + 1, key.name, "list item '" + item.Scalar() + "' may not contain ','");
        items.push_back(trim(item.Scalar()));
      }
      raw = join_list(items);
    } else if (v.IsScalar()) {
      raw = v.Scalar();
    } else {
      fail(line, key.name, std::string("expected ") + type_name(key.type) + ", got " + describe_node(v));
    }
    std::string value;
    std::string err = normalize(key, raw, &value);
    if (!err.empty()) fail(v.IsScalar() ? v.Mark().line + 1 : line, key.name, err);
    (*values_)[key.name] = value;
    (*origins_)[key.name] = describe_line(origin_, line);
  }

  const ConfigSchema& schema_;
  const std::string& origin_;
  std::map<std::string, std::string>* values_;
  std::map<std::string, std::string>* origins_;
  std::map<std::string, int> lines_;
};

}  // namespace

ConfigSchema& ConfigSchema::add(ConfigKey key) {
  if (key.name.empty()) throw ConfigError("config schema: a key with an empty name");
  if (keys_.count(key.name)) throw ConfigError("config schema: key '" + key.name + "' declared twice");
  std::string canonical;
  std::string err = normalize(key, key.default_value, &canonical);
  if (!err.empty()) throw ConfigError("config schema: key '" + key.name + "': default: " + err);
  key.default_value = canonical;
  std::string name = key.name;
  keys_.emplace(name, std::move(key));
  return *this;
}

const ConfigKey* ConfigSchema::find(const std::string& name) const {
  auto it = keys_.find(name);
  return it == keys_.end() ? nullptr : &it->second;
}

Config Config::load(const std::string& path, const ConfigSchema& schema,
                    const std::vector<std::string>& overrides) {
  // A directory opens as a stream that reads as empty: without this it would
  // load as "no keys set", i.e. every default.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": is a directory, not a YAML config file");
  std::optional<std::string> text;
  try {
    text = try_read_file(path);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());  // callers catch ConfigError for every config problem
  }
  if (!text) throw ConfigError(path + ": cannot open the file");
  return parse(*text, path, schema, overrides);
}

Config Config::parse(const std::string& yaml_text, const std::string& origin, const ConfigSchema& schema,
                     const std::vector<std::string>& overrides) {
  Config c;
  c.schema_ = &schema;
  c.source_ = origin;
  for (const auto& [name, key] : schema.keys()) c.values_[name] = key.default_value;

  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(describe_line(origin, e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (root.IsMap()) {
    YamlReader reader(schema, origin, &c.values_, &c.origins_);
    try {
      reader.read_map(root, "");
    } catch (const YAML::Exception& e) {
      throw ConfigError(describe_line(origin, e.mark.line + 1) + ": " + e.msg);
    }
  } else if (!root.IsNull()) {
    throw ConfigError(describe_line(origin, root.Mark().line + 1) + ": expected a map of keys, got " +
                      describe_node(root));
  }
  c.keys_from_source_ = c.origins_.size();

  for (const auto& o : overrides) {
    std::size_t eq = o.find('=');
    if (eq == std::string::npos) throw ConfigError("override '" + o + "': expected key=value");
    std::string name = trim(o.substr(0, eq));
    const ConfigKey* key = schema.find(name);
    if (!key) throw ConfigError("override '" + o + "': " + unknown_key(schema, name));
    std::string value;
    std::string err = normalize(*key, o.substr(eq + 1), &value);
    if (!err.empty()) throw ConfigError("override '" + o + "': key '" + name + "': " + err);
    c.values_[name] = value;
    c.origins_[name] = "override '" + o + "'";
  }
  return c;
}

namespace {

const ConfigKey& typed_key(const ConfigSchema* schema, const std::string& name, ConfigType want) {
  const ConfigKey* key = schema ? schema->find(name) : nullptr;
  if (!key) throw ConfigError("config: unknown key '" + name + "'");
  if (key->type != want)
    throw ConfigError("config: key '" + name + "' holds " + type_name(key->type) + ", read as " + type_name(want));
  return *key;
}

}  // namespace

long long Config::get_int(const std::string& key) const {
  typed_key(schema_, key, ConfigType::kInt);
  return std::stoll(values_.at(key));
}

double Config::get_double(const std::string& key) const {
  typed_key(schema_, key, ConfigType::kDouble);
  return std::strtod(values_.at(key).c_str(), nullptr);
}

bool Config::get_bool(const std::string& key) const {
  typed_key(schema_, key, ConfigType::kBool);
  return values_.at(key) == "true";
}

const std::string& Config::get_string(const std::string& key) const {
  typed_key(schema_, key, ConfigType::kString);
  return values_.at(key);
}

std::vector<std::string> Config::get_list(const std::string& key) const {
  typed_key(schema_, key, ConfigType::kStringList);
  return split_list(values_.at(key));
}

bool Config::was_set(const std::string& key) const { return origins_.count(key) > 0; }

std::string Config::origin_of(const std::string& key) const {
  auto it = origins_.find(key);
  return it == origins_.end() ? "" : it->second;
}

void Config::set(const std::string& key, const std::string& value, const std::string& origin) {
  const ConfigKey* k = schema_ ? schema_->find(key) : nullptr;
  if (!k) throw ConfigError("set '" + key + "': " + (schema_ ? unknown_key(*schema_, key) : "no schema"));
  std::string v;
  std::string err = normalize(*k, value, &v);
  if (!err.empty()) throw ConfigError("set '" + key + "=" + value + "': key '" + key + "': " + err);
  values_[key] = v;
  origins_[key] = origin.empty() ? "override '" + key + "=" + value + "'" : origin;
}

std::string Config::canonical() const {
  std::string out;
  for (const auto& [k, v] : values_) out += k + ": " + v + "\n";
  return out;
}

std::vector<std::string> Config::result_affecting_differences(const Config& other) const {
  std::vector<std::string> out;
  auto affects = [&](const std::string& name) {
    const ConfigKey* k = schema_ ? schema_->find(name) : nullptr;
    if (!k && other.schema_) k = other.schema_->find(name);
    return !k || k->affects_result;
  };
  for (const auto& [k, v] : values_) {
    auto it = other.values_.find(k);
    if ((it == other.values_.end() || it->second != v) && affects(k)) out.push_back(k);
  }
  for (const auto& [k, v] : other.values_)
    if (values_.count(k) == 0 && affects(k)) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

Config Config::from_values(const std::map<std::string, std::string>& values, const ConfigSchema& schema,
                           const std::string& origin) {
  Config c;
  c.schema_ = &schema;
  c.source_ = origin;
  for (const auto& [name, key] : schema.keys()) c.values_[name] = key.default_value;
  for (const auto& [name, raw] : values) {
    const ConfigKey* key = schema.find(name);
    if (!key) throw ConfigError(origin + ": " + unknown_key(schema, name));
    std::string v;
    std::string err = normalize(*key, raw, &v);
    if (!err.empty()) throw ConfigError(origin + ": key '" + name + "': " + err);
    c.values_[name] = v;
    c.origins_[name] = origin;
  }
  c.keys_from_source_ = c.origins_.size();
  return c;
}

}  // namespace bigpe
