#pragma once
// Typed configuration: keys are declared once (type, default, range), then
// YAML files and key=value overrides are validated against the declaration.
// Errors name the file, the line and the key.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bigpe {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line", the prefix of every error that points into a file.
std::string describe_line(const std::string& file, int line);

enum class ConfigType { kInt, kDouble, kBool, kString, kStringList };

struct ConfigKey {
  std::string name;  // dotted, e.g. "selector.c"
  ConfigType type = ConfigType::kString;
  std::string default_value;  // in YAML scalar syntax; lists as "a,b"
  std::optional<double> min;  // numeric keys only
  std::optional<double> max;
  std::vector<std::string> choices;  // string keys only; empty = any
  std::string help;
  // false when changing the key does not change an experiment's meaning
  // (worker count, endpoints, log level), so resume may change it.
  bool affects_result = true;
};

// "[lo, hi]" of a numeric key ("-inf" / "inf" for an open end), as errors show it.
std::string range_text(const ConfigKey& key);

class ConfigSchema {
 public:
  ConfigSchema& add(ConfigKey key);
  const ConfigKey* find(const std::string& name) const;
  const std::map<std::string, ConfigKey>& keys() const { return keys_; }

 private:
  std::map<std::string, ConfigKey> keys_;
};

// A resolved configuration: every declared key has a value.
// REQUIRES: the schema outlives every Config made from it.
class Config {
 public:
  // Loads YAML (nested maps become dotted keys), then applies overrides
  // ("a.b=value"). A key the schema does not declare, a value of the wrong
  // type or out of range, malformed YAML, or a path that is a directory
  // throws ConfigError such as
  //   experiments/x.yaml:12: key 'selector.c': expected a number, got 'abc'
  //   override 'selector.cc=1': unknown key 'selector.cc'
  static Config load(const std::string& path, const ConfigSchema& schema,
                     const std::vector<std::string>& overrides = {});
  // The same from YAML text (`origin` names it in errors).
  static Config parse(const std::string& yaml_text, const std::string& origin,
                      const ConfigSchema& schema, const std::vector<std::string>& overrides = {});

  long long get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  std::vector<std::string> get_list(const std::string& key) const;
  bool was_set(const std::string& key) const;  // by the file or an override

  // Where the key's value came from, for errors that point at it: "x.yaml:7"
  // (the line of the key), "override 'k=v'", the origin given to set() or
  // from_values(); "" while it holds its default.
  std::string origin_of(const std::string& key) const;
  // The file (or text) the config was read from, as named to load/parse.
  const std::string& source() const { return source_; }
  // How many keys the YAML text itself set (not the overrides).
  std::size_t keys_from_source() const { return keys_from_source_; }

  // Sets a value as an override would (validated); for programmatic use.
  // `origin` says where it came from (origin_of); empty: "override 'k=v'".
  void set(const std::string& key, const std::string& value, const std::string& origin = "");

  // "key: value" lines for every key, sorted: the canonical text that is
  // hashed and stored with an experiment.
  std::string canonical() const;
  // Same, as key -> value text.
  const std::map<std::string, std::string>& values() const { return values_; }
  // Keys whose values differ and that affect the result (for resume).
  std::vector<std::string> result_affecting_differences(const Config& other) const;
  // Rebuilds a Config from values() text (e.g. read back from Redis).
  static Config from_values(const std::map<std::string, std::string>& values,
                            const ConfigSchema& schema, const std::string& origin);

 private:
  const ConfigSchema* schema_ = nullptr;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> origins_;  // keys that were set -> where
  std::string source_;
  std::size_t keys_from_source_ = 0;
};

}  // namespace bigpe
