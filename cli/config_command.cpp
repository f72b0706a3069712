// `bigpe config keys [--markdown]` and `bigpe config show CONFIG [key=value ...]`.
#include <iostream>

#include "cli/commands.h"
#include "scheduler/experiment/config_listing.h"
#include "scheduler/experiment/experiment_checks.h"
#include "scheduler/store/run_folder.h"

namespace bigpe::cli {
namespace {

void show(const std::string& file, const std::vector<std::string>& overrides) {
  Config c;
  try {
    c = engine::load_experiment_config(file, overrides);
    engine::check_experiment(c);  // the refusals of `bigpe run`, before it creates anything
  } catch (const ConfigError& e) {
    std::cerr << "bigpe config show: " << e.what() << "\n";  // stdout stays YAML
    throw CommandExit{1};
  }
  std::size_t set = 0;
  for (const auto& [key, value] : c.values()) set += c.was_set(key) ? 1 : 0;
  std::cout << "# " << file << " resolved: " << c.values().size() << " keys, " << set
            << " set (marked with where), the rest defaults\n"
            << "# config hash " << engine::config_hash(c) << "; experiment ids: " << c.get_string("name")
            << "-<UTC time>-<6 hex>\n"
            << engine::resolved_config_text(c);
}

}  // namespace

void register_config_command(CLI::App& app) {
  auto* config = app.add_subcommand("config", "the experiment settings: every key, or a config resolved");
  config->require_subcommand(1);

  auto* keys = config->add_subcommand("keys", "every key: type, default, range or choices, resume, help");
  auto markdown = std::make_shared<bool>(false);
  keys->add_flag("--markdown", *markdown, "print a Markdown table");
  keys->callback([markdown] {
    std::cout << engine::config_keys_table(*markdown ? engine::KeysFormat::kMarkdown : engine::KeysFormat::kText);
  });

  auto* resolved = config->add_subcommand("show", "a config with its overrides resolved: every key, sorted, as YAML");
  auto file = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  resolved->add_option("config", *file, "experiment YAML file")->required();
  resolved->add_option("overrides", *overrides, "dotted key=value overrides, as for bigpe run");
  resolved->callback([file, overrides] { show(*file, *overrides); });
}

}  // namespace bigpe::cli
