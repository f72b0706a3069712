#pragma once
// SettingTable: each config key bound to one member of a settings struct,
// with its type (taken from the member), default, range and help written
// in one line of the table. The table makes both the ConfigSchema that
// validates YAML and the code that moves a resolved Config into the struct,
// so a key, its member and its default cannot drift apart.
//
//   table.add("render.steps", at(&S::dispatch, &DispatchSettings::params, &RenderParams::steps),
//             1, "denoising steps").range(0, 1000);
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "common/config.h"

namespace bigpe::engine {

namespace binding_detail {
template <class T, class M>
M& follow(T& object, M T::*member) {
  return object.*member;
}
template <class T, class M, class... Rest>
auto& follow(T& object, M T::*member, Rest... rest) {
  return follow(object.*member, rest...);
}
}  // namespace binding_detail

// The member reached from the root struct through a chain of member
// pointers, as a callable the table stores.
template <class Root, class M, class... Rest>
auto at(M Root::*first, Rest... rest) {
  return [=](Root& s) -> auto& { return binding_detail::follow(s, first, rest...); };
}

template <class Settings>
struct SettingBinding {
  ConfigKey key;
  std::function<void(const Config&, Settings&)> assign;  // Config value -> member
  std::function<std::string(Settings&)> text;              // member -> YAML scalar text
};

// One table line after add(): refines the key it declared.
class SettingLine {
 public:
  explicit SettingLine(ConfigKey& key) : key_(key) {}
  SettingLine& range(double lo, double hi) {
    key_.min = lo;
    key_.max = hi;
    return *this;
  }
  SettingLine& choices(std::vector<std::string> names) {
    key_.choices = std::move(names);
    return *this;
  }
  // The key does not change what an experiment computes (endpoints, worker
  // counts), so a resume may change it.
  SettingLine& infra() {
    key_.affects_result = false;
    return *this;
  }

 private:
  ConfigKey& key_;
};

template <class Settings>
class SettingTable {
 public:
  template <class Path, class M = std::remove_reference_t<std::invoke_result_t<Path, Settings&>>>
  SettingLine add(std::string name, Path path, const std::common_type_t<M>& def, std::string help) {
    SettingBinding<Settings> b;
    b.key.name = name;
    b.key.type = type_of<M>();
    b.key.default_value = text_of(def);
    b.key.help = std::move(help);
    b.assign = [name, path](const Config& c, Settings& s) { path(s) = value_of<M>(c, name); };
    b.text = [path](Settings& s) { return text_of(path(s)); };
    bindings_.push_back(std::move(b));
    return SettingLine(bindings_.back().key);
  }

  const std::deque<SettingBinding<Settings>>& bindings() const { return bindings_; }

  ConfigSchema schema() const {
    ConfigSchema s;
    for (const auto& b : bindings_) s.add(b.key);
    return s;
  }

  Settings settings_from(const Config& c) const {
    Settings s{};
    for (const auto& b : bindings_) b.assign(c, s);
    return s;
  }

 private:
  template <class M>
  static constexpr ConfigType type_of() {
    if constexpr (std::is_same_v<M, bool>) return ConfigType::kBool;
    else if constexpr (std::is_integral_v<M>) return ConfigType::kInt;
    else if constexpr (std::is_floating_point_v<M>) return ConfigType::kDouble;
    else {
      static_assert(std::is_same_v<M, std::string>, "a setting is a bool, an integer, a number or a string");
      return ConfigType::kString;
    }
  }

  template <class M>
  static M value_of(const Config& c, const std::string& name) {
    if constexpr (std::is_same_v<M, bool>) return c.get_bool(name);
    else if constexpr (std::is_integral_v<M>) return static_cast<M>(c.get_int(name));
    else if constexpr (std::is_floating_point_v<M>) return static_cast<M>(c.get_double(name));
    else return c.get_string(name);
  }

  template <class M>
  static std::string text_of(const M& v) {
    if constexpr (std::is_same_v<M, bool>) {
      return v ? "true" : "false";
    } else if constexpr (std::is_integral_v<M>) {
      return std::to_string(v);
    } else if constexpr (std::is_floating_point_v<M>) {
      // Round-trip precision; the schema normalizes it to the shortest text.
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
      return buf;
    } else {
      return v;
    }
  }

  std::deque<SettingBinding<Settings>> bindings_;  // deque: add() hands out references
};

}  // namespace bigpe::engine
