#include "scheduler/experiment/score_model_folders.h"

#include "common/text_util.h"

namespace bigpe::engine {

std::string score_model_problem(const std::string& spec) {
  if (trim(spec).empty()) return "";
  const std::vector<std::string> entries = split_commas(spec);
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].empty())
      return "'" + spec + "': entry " + std::to_string(i + 1) + " of " + std::to_string(entries.size()) +
             " is empty (a list of model folders, comma-separated; a folder path may not contain a comma)";
  return "";
}

std::vector<std::string> score_model_folders(const std::string& spec) {
  if (trim(spec).empty()) return {};
  return split_commas(spec);
}

}  // namespace bigpe::engine
