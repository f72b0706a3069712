#pragma once
// The text of `bigpe config keys` (every key of the settings table with its
// type, default, range or choices, whether a resume may change it, and its
// help) and of `bigpe config show` (a resolved config as YAML, each key the
// file or an override set marked with where).
//
// Thread-safety: pure functions.
#include <string>

#include "common/config.h"

namespace bigpe::engine {

enum class KeysFormat { kText, kMarkdown };

// One row per key of experiment_bindings(), in table order, under a header.
// kText aligns the columns; kMarkdown is a Markdown table.
std::string config_keys_table(KeysFormat format);

// Every key, sorted, as "key: value" YAML that reads back (Config::parse)
// to the same values; a key the config set ends in "  # ORIGIN"
// (Config::origin_of), a default has no comment.
std::string resolved_config_text(const Config& config);

// `value` as a YAML scalar that reads back as the same text: plain when
// that is safe, else double-quoted with escapes.
std::string yaml_scalar(const std::string& value);

}  // namespace bigpe::engine
